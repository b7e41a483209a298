// GET /reconciliation/findings: the reconciler's records of unmanaged assignments, for auditors only, one Query on an
// index per call (functions/reconciliation/findings.ts).
import { currentPolicy } from './policy/currentPolicy.js';
import { isAuditor } from './policy/policy.js';
import { parseFindingsQuery, queryFindings } from './reconciliation/findings.js';
import { documentClient } from './shared/clients/dynamodb.js';
import { config } from './shared/config.js';
import { ForbiddenError } from './shared/errors.js';
import { callerIdentity, json, type HttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';
import { linkSigningSecret } from './shared/secrets.js';

export const handler = httpHandler<HttpEvent>(async (event) => {
  const identity = callerIdentity(event);
  if (!isAuditor(currentPolicy(), identity)) throw new ForbiddenError('Only auditors may read reconciliation findings');
  const query = parseFindingsQuery(event.queryStringParameters ?? {});
  const page = await queryFindings(query, {
    db: documentClient(),
    tableName: config.tableName(),
    cursorSecret: await linkSigningSecret(),
  });
  return json(
    200,
    { items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) },
    { 'x-index': page.index, 'x-items-examined': String(page.examined), 'x-items-returned': String(page.items.length) },
  );
});
