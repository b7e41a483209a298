// Diagnostic, not part of npm test: the scenario of test/e2e/timeBoundFaults.test.ts ("8 grants under 50%
// Conflict on delete"), repeated DIAG_RUNS times on one local stack. When a grant does not end REVOKED, it dumps
// the record's error, its events and the execution history. It also counts, over all grants, how many conflicts each
// met before its deletion went through: with independent 50% faults that is geometric, P(k or more) = 0.5^k. Run:
//   DIAG_RUNS=100 DIAG_OUT=/tmp/diag.log NODE_OPTIONS=--experimental-vm-modules npx jest \
//     --testMatch '<rootDir>/test/diagnostics/*.diag.ts' --testTimeout 3600000 test/diagnostics/timeBoundFaults.diag.ts
// A summary line per round and the totals go to DIAG_OUT.
import { appendFileSync } from 'node:fs';
import { afterAll, expect, it } from '@jest/globals';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SSO_PARAMETERS, ssoRequest, startHarness, type Harness } from '../e2e/harness.js';

const RUNS = Number(process.env.DIAG_RUNS ?? '20');
const OUT = process.env.DIAG_OUT ?? '/tmp/timeBoundFaults.diag.log';
const FAULTS = process.env.DIAG_FAULTS ?? 'sso-admin.DeleteAccountAssignment=ConflictException:0.5';
// One local stack per process (handlers keep their first configuration), so the rounds share one stack, each with
// 8 principals of its own: each round creates and deletes 8 assignments of its own, as one run of the test does.
const principalsOf = (round: number): string[] =>
  Array.from({ length: 8 }, (_, i) => `f81d4fae-7dec-11d0-a765-${String(round * 8 + i).padStart(12, '0')}`);
const ALL_PRINCIPALS = Array.from({ length: RUNS }, (_, round) => principalsOf(round)).flat();
const FIXTURES = JSON.stringify({
  sso: {
    instanceArn: SSO_PARAMETERS.InstanceArn,
    permissionSets: [SSO_PARAMETERS.PermissionSetArn],
    principals: ALL_PRINCIPALS.map((id) => ({ id, type: 'USER' })),
    accounts: ['111111111111'],
    provisioningSeconds: 1,
  },
});

type View = {
  requestId: string;
  status: string;
  error?: unknown;
  events: Array<{ type: string; at?: string; detail: Record<string, unknown> }>;
};

const log = (line: string): void => {
  appendFileSync(OUT, `${line}\n`);
};

const grant = async (h: Harness, alice: string, PrincipalId: string): Promise<string> => {
  const submitted = await h.call('POST', '/requests', {
    token: alice,
    body: { ...ssoRequest({ PrincipalId }), durationMinutes: 30 },
  });
  const { requestId } = submitted.body as { requestId: string };
  const [link] = (await h.waitForLinks(requestId, 2)).values();
  if (!link) throw new Error(`no approval link for ${requestId}`);
  await h.call('POST', link, {
    rawBody: 'decision=approve',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });
  return requestId;
};

const history = async (h: Harness, requestId: string) => {
  const sfn = new SFNClient(h.aws);
  const executionArn = `${h.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`;
  const events = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  sfn.destroy();
  return events;
};

const totals = {
  runs: 0,
  failedRuns: 0,
  grants: 0,
  notRevoked: 0,
  errors: {} as Record<string, number>,
  /** Grants by the number of failed DeleteAccountAssignment attempts they met. */
  conflictsPerGrant: {} as Record<number, number>,
};

afterAll(() => {
  log(`TOTALS ${JSON.stringify(totals)}`);
});

it(`runs the 8-grant scenario ${RUNS} times`, async () => {
  const h = await startHarness({ faults: FAULTS, fixtures: FIXTURES, timeScale: 0.002 });
  try {
    const alice = await h.token('alice@example.com');
    for (let run = 1; run <= RUNS; run++) {
      const ids = await Promise.all(principalsOf(run - 1).map((p) => grant(h, alice, p)));
      const finals = (await Promise.all(
        ids.map((id) =>
          h
            .waitForStatus(id, alice, ['REVOKED', 'REVOKE_FAILED', 'FAILED', 'COMPLETED'], 120_000)
            // A grant that never settles is dumped too, as it stands when the wait gives up.
            .catch(async () => ({
              ...((
                await h.call('GET', `/requests/${id}`, { token: alice })
              ).body as Record<string, unknown>),
              status: 'STUCK',
            })),
        ),
      )) as unknown as View[];
      totals.runs++;
      totals.grants += finals.length;
      const bad = finals.filter((f) => f.status !== 'REVOKED');
      for (const f of finals) {
        const conflicts = f.events.filter((e) => e.type === 'revocation_error').length;
        totals.conflictsPerGrant[conflicts] = (totals.conflictsPerGrant[conflicts] ?? 0) + 1;
      }
      for (const f of finals)
        for (const e of f.events)
          if (e.type.endsWith('_error')) {
            const key = `${e.type}:${String(e.detail.operation ?? '')}:${String(e.detail.error)}`;
            totals.errors[key] = (totals.errors[key] ?? 0) + 1;
          }
      log(
        `run ${run}: ${finals.map((f) => f.status).join(',')} conflicts=${finals
          .map((f) => f.events.filter((e) => e.type === 'revocation_error').length)
          .join('/')}`,
      );
      if (bad.length > 0) {
        totals.failedRuns++;
        totals.notRevoked += bad.length;
        for (const f of bad) {
          const { events: _events, ...record } = f;
          log(`=== ${f.requestId} ${f.status} error=${JSON.stringify(f.error)} record=${JSON.stringify(record)}`);
          for (const e of f.events) log(`  event ${e.at ?? ''} ${e.type} ${JSON.stringify(e.detail)}`);
          for (const e of await history(h, f.requestId)) {
            const { id, type, timestamp, ...rest } = e;
            const details = JSON.stringify(rest).replace(/"input":"(?:[^"\\]|\\.)*"/g, '"input":…');
            log(`  hist ${id} ${timestamp?.toISOString()} ${type} ${details.slice(0, 600)}`);
          }
        }
      }
    }
  } finally {
    await h.close();
  }
  expect(totals.runs).toBe(RUNS);
});
