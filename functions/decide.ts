// POST /approvals/{linkToken}: an approver decides. HTML for the page's form, JSON for API clients.
import { decideByLink } from './approvals/decide.js';
import { renderResultPage, renderRefusalPage } from './approvals/page.js';
import { defaultNotifier } from './notifications/channels.js';
import { refreshApproverMessages } from './notifications/notify.js';
import { currentPolicy } from './policy/currentPolicy.js';
import { toRequestView } from './requests/view.js';
import { sfnClient } from './shared/clients.js';
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
    await refreshApproverMessages(result.item.requestId, { repository: defaultRepository(), notifier: await defaultNotifier(), people: currentPolicy().people ?? [] });
    const view = toRequestView(result.item);
    if (wantsJson(event)) return json(200, { decision: result.decision, approver: result.approver, request: view });
    const message = result.decision === 'deny'
      ? 'You denied this request. The requester will be told.'
      : result.settled
        ? 'You approved this request. It is being carried out now.'
        : `You approved this request. It needs ${result.item.minApprovals - result.item.approvalCount} more approval(s).`;
    return html(200, renderResultPage('Decision recorded', message, { item: result.item, now: systemClock.now() }));
  },
  { errorPage: renderRefusalPage },
);
