// POST /approvals/{linkToken}: an approver decides. HTML for the page's form, JSON for API clients.
import { decideByLink } from './approvals/decide.js';
import { renderDecisionPage, renderRefusalPage } from './approvals/page.js';
import { defaultNotifier } from './notifications/channels.js';
import { refreshApproverMessages } from './notifications/notify.js';
import { currentPolicy } from './policy/currentPolicy.js';
import { toRequestView } from './requests/view.js';
import { sfnClient } from './shared/clients/sfn.js';
import { systemClock } from './shared/clock.js';
import { defaultRepository } from './shared/defaults.js';
import { formOrJsonBody, html, json, wantsJson, type PublicHttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';
import { linkSigningSecret } from './shared/secrets.js';

export const handler = httpHandler<PublicHttpEvent>(
  async (event) => {
    const form = formOrJsonBody(event);
    const result = await decideByLink(
      { linkToken: event.pathParameters?.linkToken ?? '', decision: form.decision, comment: form.comment },
      { repository: defaultRepository(), sfn: sfnClient(), clock: systemClock, linkSecret: await linkSigningSecret() },
    );
    await refreshApproverMessages(
      result.item.requestId,
      { repository: defaultRepository(), notifier: await defaultNotifier(), people: currentPolicy().people ?? [] },
      { item: result.item },
    );
    if (wantsJson(event))
      return json(200, { decision: result.decision, approver: result.approver, request: toRequestView(result.item) });
    return html(200, renderDecisionPage(result, systemClock.now()));
  },
  { errorPage: renderRefusalPage },
);
