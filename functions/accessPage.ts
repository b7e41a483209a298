// GET /: the access page. It is static and sits behind no authorizer: its script calls the API with the caller's own
// bearer token (GET /catalog, /requests, POST /requests …), so the API decides what each person may see and do.
import { renderAccessPage } from './access/page.js';
import { newNonce, pageHeaders } from './pages/layout.js';
import type { HttpResult, PublicHttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';

export const handler = httpHandler<PublicHttpEvent>(async (): Promise<HttpResult> => {
  // A fresh nonce per response: an injected script cannot guess it, so the CSP admits only the page's own.
  const nonce = newNonce();
  return {
    statusCode: 200,
    headers: pageHeaders(nonce),
    body: renderAccessPage({ nonce, loginUrl: process.env.ACCESS_LOGIN_URL }),
  };
});
