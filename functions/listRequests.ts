// GET /requests: the audit query, as JSON pages or as CSV of every matching row.
import { currentPolicy } from './policy/currentPolicy.js';
import { isAuditor } from './policy/policy.js';
import { csvHeader, csvRow, withNames } from './requests/csv.js';
import { MAX_LIMIT, authorizeQuery, parseListQuery, queryRequests, type QueryDeps } from './requests/queryRequests.js';
import { toRequestView } from './requests/view.js';
import { documentClient } from './shared/clients/dynamodb.js';
import { config } from './shared/config.js';
import { callerIdentity, json, type HttpEvent, type HttpResult } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';
import { linkSigningSecret } from './shared/secrets.js';

/**
 * Lambda responses through API Gateway stop at 6 MB; past this the export stops and says where to continue
 * (`x-next-cursor`), so a partial export is never taken for the whole. A page that cannot be read in full fails
 * the export with 503 (queryRequests), rather than leave rows out.
 */
const CSV_BUDGET_BYTES = 5 * 1024 * 1024;
/**
 * Time the export keeps in hand before the Lambda's timeout: one more page can take its reads plus the BatchGet
 * retries (1.24 s at worst) before it answers. Past this the export stops and says where to continue, like the
 * size limit, instead of being cut off by the timeout with nothing to show.
 */
export const CSV_TIME_MARGIN_MS = 2_500;

const csvExport = async (
  query: Parameters<typeof queryRequests>[0],
  deps: QueryDeps,
  remainingMs: () => number,
): Promise<HttpResult> => {
  // The header depends on whether any row has names (csv.ts, withNames), so rows are kept until the end; the size
  // budget counts each row with its name columns, an upper bound of what is sent.
  const items: Parameters<typeof csvRow>[0][] = [];
  let bytes = Buffer.byteLength(csvHeader({ names: true }));
  let cursor = query.cursor;
  do {
    const page = await queryRequests({ ...query, limit: MAX_LIMIT, cursor }, deps);
    for (const item of page.items) {
      items.push(item);
      // Bytes, not characters: the limit is on the UTF-8 response, and a name or an error message may not be ASCII.
      bytes += Buffer.byteLength(csvRow(item, { names: true })) + 2;
    }
    cursor = page.nextCursor;
  } while (cursor && bytes < CSV_BUDGET_BYTES && remainingMs() > CSV_TIME_MARGIN_MS);
  const names = withNames(items);
  const lines = [csvHeader({ names }), ...items.map((item) => csvRow(item, { names }))];
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="access-requests.csv"',
      'cache-control': 'no-store',
      ...(cursor ? { 'x-next-cursor': cursor } : {}),
    },
    body: `${lines.join('\r\n')}\r\n`,
  };
};

export const handler = httpHandler<HttpEvent>(async (event, context) => {
  const identity = callerIdentity(event);
  const query = parseListQuery(event.queryStringParameters ?? {}, event.headers.accept);
  authorizeQuery(query.filters, identity, isAuditor(currentPolicy(), identity));
  const deps: QueryDeps = {
    db: documentClient(),
    tableName: config.tableName(),
    cursorSecret: await linkSigningSecret(),
  };
  const request = {
    filters: query.filters,
    limit: query.limit,
    caller: identity,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  };
  if (query.csv) return csvExport(request, deps, () => context.getRemainingTimeInMillis());
  const page = await queryRequests(request, deps);
  return json(
    200,
    { items: page.items.map(toRequestView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) },
    { 'x-index': page.index, 'x-items-examined': String(page.examined), 'x-items-returned': String(page.items.length) },
  );
});
