// GET /approvals/{linkToken}: shows the request. A GET never changes anything, because link previewers
// and mail scanners fetch links on their own.
import { decisionBlocker, openLink } from './approvals/decide.js';
import { renderApprovalPage, renderRefusalPage } from './approvals/page.js';
import { systemClock } from './shared/clock.js';
import { defaultRepository } from './shared/defaults.js';
import { isDomainError } from './shared/errors.js';
import { html, type PublicHttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';
import { linkSigningSecret } from './shared/secrets.js';

export const handler = httpHandler<PublicHttpEvent>(
  async (event) => {
    const now = systemClock.now();
    const { claims, item } = await openLink(event.pathParameters?.linkToken ?? '', {
      repository: defaultRepository(),
      clock: systemClock,
      linkSecret: await linkSigningSecret(),
    });
    const blocker = decisionBlocker(item, claims.approver);
    if (blocker && isDomainError(blocker))
      return html(blocker.statusCode, renderRefusalPage(blocker.statusCode, blocker.message, item, now));
    return html(200, renderApprovalPage(item, claims.approver, now));
  },
  { errorPage: renderRefusalPage },
);
