// GET /audit: the auditor's page. It is static and sits behind no authorizer: its script calls the API with
// the caller's own bearer token, so the API decides what each person may see, exactly as for any client.
import { auditPageHeaders, renderAuditPage } from './audit/page.js';
import { newNonce } from './pages/layout.js';
import type { HttpResult, PublicHttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';

export const handler = httpHandler<PublicHttpEvent>(async (): Promise<HttpResult> => {
  // A fresh nonce per response: an injected script cannot guess it, so the CSP admits only the page's own.
  const nonce = newNonce();
  return {
    statusCode: 200,
    headers: auditPageHeaders(nonce),
    body: renderAuditPage({ nonce, loginUrl: process.env.AUDIT_LOGIN_URL }),
  };
});
