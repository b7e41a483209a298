// Cost scenario: what one request costs in Step Functions state transitions and Lambda invocations, counted from
// the execution history of a real run on the local stack (the real ASL, the real handlers), for each action's
// happy path, plus a time-bound SSO grant through its revocation for information.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { loadServerlessConfig } from '../local/serverlessConfig.js';
import { startLocalStack, type LocalStack } from '../local/stack.js';
import { PROTON_CONNECTION_IDS, protonRequest, ssoRequest } from '../test/fixtures/requests.js';
import { runIsolated } from './lib/isolate.js';
import { createLocalApi, poll, type LocalApi } from './lib/localApi.js';
import { startProgress } from './lib/progress.js';
import { writeResult } from './lib/results.js';
import type { ScenarioOutcome } from './lib/scenario.js';
import { formatTable, resultCell } from './lib/table.js';
import { formatDuration, now, timed } from './lib/timing.js';

// Small enough that the 3 s poll wait and a one-minute grant take milliseconds, large enough that timers stay
// well above the event loop's jitter. The counts do not depend on it, except through the poll: provisioning
// (1 s scaled) must finish inside the 3 s wait (scaled the same), which the ratio guarantees at any scale.
const TIME_SCALE = 0.01;
/** Local function names are `<service>-local-<function>`; the table shows the function part. */
const SERVICE = loadServerlessConfig().service;
const PROVISIONING_SECONDS = 1;
const REQUESTER = 'alice@example.com';
const APPROVER = 'bob@example.com';
/** Second account of the default fixtures: the time-bound grant must not find the permanent one already there. */
const TIME_BOUND_ACCOUNT = '222222222222';

const TARGETS = {
  proton: { transitions: 6, lambdaInvocations: 4 },
  sso: { transitions: 9, lambdaInvocations: 4, statusPolls: 1 },
} as const;

// us-east-1 list prices: Standard workflows $0.025 per 1,000 state transitions; Lambda $0.20 per million requests.
// Lambda duration, DynamoDB and the free tier are left out: this is the per-request part the workflow design sets.
const USD_PER_TRANSITION = 0.025 / 1000;
const USD_PER_LAMBDA_REQUEST = 0.2 / 1_000_000;

interface RunSpec {
  name: string;
  body: Record<string, unknown>;
  /** Where the request ends when everything goes right. */
  finalStatus: string;
  target?: { transitions: number; lambdaInvocations: number; statusPolls?: number };
}

export interface CostRow {
  name: string;
  requestId: string;
  finalStatus: string;
  executionStatus: string;
  events: number;
  historyPages: number;
  transitions: number;
  lambdaInvocations: number;
  lambdaByFunction: Record<string, number>;
  /** CheckAssignment entries: one DescribeAccountAssignmentCreationStatus poll each. */
  statusPolls: number;
  /** CheckRevocation entries, for the time-bound grant. */
  revocationPolls: number;
  /** Describe calls the emulated Identity Center answered during the run: a cross-check of the polls. */
  describeCalls: number;
  dynamodbTasks: number;
  /** Every state entered, in order. */
  path: string[];
  usdPerMillionRequests: number;
  wallMs: number;
  target?: RunSpec['target'];
  pass: boolean;
  missed: string[];
}

const DESCRIBE_TARGETS = [
  'SWBExternalService.DescribeAccountAssignmentCreationStatus',
  'SWBExternalService.DescribeAccountAssignmentDeletionStatus',
];

/** Every page of the execution's history, as a client of the real service would read it. */
const readHistory = async (
  sfn: SFNClient,
  executionArn: string,
): Promise<{ events: HistoryEvent[]; pages: number }> => {
  const events: HistoryEvent[] = [];
  let pages = 0;
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
    events.push(...(page.events ?? []));
    pages += 1;
    nextToken = page.nextToken;
  } while (nextToken);
  return { events, pages };
};

/** The function name from a lambda:invoke task's Parameters (a JSON string holding FunctionName). */
const functionOf = (parameters: string | undefined, service: string): string => {
  try {
    const parsed = JSON.parse(parameters ?? '{}') as { FunctionName?: unknown };
    const name =
      String(parsed.FunctionName ?? '?')
        .split(':')
        .pop() ?? '?';
    return name.replace(`${service}-local-`, '');
  } catch {
    return '?';
  }
};

const countHistory = (events: HistoryEvent[]) => {
  const path: string[] = [];
  const lambdaByFunction: Record<string, number> = {};
  let lambdaInvocations = 0;
  let dynamodbTasks = 0;
  for (const event of events) {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered')) path.push(event.stateEnteredEventDetails?.name ?? '?');
    // One TaskScheduled per attempt, so a retried invoke counts every time it ran, as Lambda bills it.
    if (type === 'TaskScheduled') {
      const details = event.taskScheduledEventDetails;
      if (details?.resourceType === 'lambda') {
        lambdaInvocations += 1;
        const fn = functionOf(details.parameters, SERVICE);
        lambdaByFunction[fn] = (lambdaByFunction[fn] ?? 0) + 1;
      } else if (details?.resourceType === 'dynamodb') dynamodbTasks += 1;
    }
    // A plain Lambda ARN as Resource (not used by this workflow today) is billed the same.
    if (type === 'LambdaFunctionScheduled') {
      lambdaInvocations += 1;
      lambdaByFunction['(plain ARN)'] = (lambdaByFunction['(plain ARN)'] ?? 0) + 1;
    }
  }
  return {
    path,
    transitions: path.length,
    lambdaInvocations,
    lambdaByFunction,
    dynamodbTasks,
    statusPolls: path.filter((s) => s === 'CheckAssignment').length,
    revocationPolls: path.filter((s) => s === 'CheckRevocation').length,
  };
};

const judge = (row: Omit<CostRow, 'pass' | 'missed'>, spec: RunSpec): string[] => {
  const missed: string[] = [];
  if (row.finalStatus !== spec.finalStatus) missed.push(`ended ${row.finalStatus}, expected ${spec.finalStatus}`);
  if (row.executionStatus !== 'SUCCEEDED') missed.push(`execution ${row.executionStatus}`);
  const target = spec.target;
  if (!target) return missed;
  if (row.transitions > target.transitions) missed.push(`${row.transitions} transitions > ${target.transitions}`);
  if (row.lambdaInvocations > target.lambdaInvocations)
    missed.push(`${row.lambdaInvocations} Lambda invocations > ${target.lambdaInvocations}`);
  if (target.statusPolls !== undefined && row.statusPolls !== target.statusPolls)
    missed.push(`${row.statusPolls} status polls, expected ${target.statusPolls}`);
  return missed;
};

const runOne = async (
  stack: LocalStack,
  api: LocalApi,
  sfn: SFNClient,
  tokens: { requester: string },
  spec: RunSpec,
): Promise<CostRow> => {
  const describeBefore = DESCRIBE_TARGETS.reduce((sum, t) => sum + stack.awsCallCount(t), 0);
  const { value, ms } = await timed(async () => {
    const submitted = await api.call('POST', '/requests', { token: tokens.requester, body: spec.body });
    if (submitted.status !== 202)
      throw new Error(`${spec.name}: POST /requests answered ${submitted.status}: ${submitted.text.slice(0, 300)}`);
    const { requestId } = submitted.body as { requestId: string };
    const link = await api.waitForLink(requestId, APPROVER);
    const decided = await api.call('POST', link, {
      rawBody: 'decision=approve',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    if (decided.status !== 200)
      throw new Error(`${spec.name}: approving answered ${decided.status}: ${decided.text.slice(0, 300)}`);
    const settled = ['COMPLETED', 'FAILED', 'REVOKED', 'REVOKE_FAILED', 'DENIED', 'EXPIRED'];
    const request = await api.waitForStatus(requestId, tokens.requester, settled, 60_000);
    // The request settles a state or two before the execution does (the requester is told last): wait for the
    // end so the history is complete.
    const executionArn = `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`;
    const executionStatus = await poll(
      `execution ${requestId} to end`,
      async () => {
        const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return status && status !== 'RUNNING' ? status : undefined;
      },
      60_000,
    );
    return {
      requestId,
      finalStatus: String(request.status),
      executionStatus,
      ...(await readHistory(sfn, executionArn)),
    };
  });
  const counted = countHistory(value.events);
  const row: Omit<CostRow, 'pass' | 'missed'> = {
    name: spec.name,
    requestId: value.requestId,
    finalStatus: value.finalStatus,
    executionStatus: value.executionStatus,
    events: value.events.length,
    historyPages: value.pages,
    ...counted,
    describeCalls: DESCRIBE_TARGETS.reduce((sum, t) => sum + stack.awsCallCount(t), 0) - describeBefore,
    usdPerMillionRequests:
      Math.round(
        (counted.transitions * USD_PER_TRANSITION + counted.lambdaInvocations * USD_PER_LAMBDA_REQUEST) * 1e6 * 100,
      ) / 100,
    wallMs: Math.round(ms),
    ...(spec.target ? { target: spec.target } : {}),
  };
  const missed = judge(row, spec);
  return { ...row, pass: missed.length === 0, missed };
};

const printTable = (rows: CostRow[]): void => {
  const withTarget = (value: number, target: number | undefined, exact = false): string =>
    target === undefined
      ? String(value)
      : `${value} (${exact ? '=' : '≤'}${target})${(exact ? value !== target : value > target) ? '!' : ''}`;
  console.log(
    formatTable<CostRow>(
      [
        { header: 'run', cell: (r) => r.name },
        { header: 'ended', cell: (r) => `${r.finalStatus}/${r.executionStatus}` },
        { header: 'transitions', cell: (r) => withTarget(r.transitions, r.target?.transitions), align: 'right' },
        {
          header: 'Lambda invocations',
          cell: (r) => withTarget(r.lambdaInvocations, r.target?.lambdaInvocations),
          align: 'right',
        },
        {
          header: 'by function',
          cell: (r) =>
            Object.entries(r.lambdaByFunction)
              .map(([fn, n]) => (n > 1 ? `${fn}×${n}` : fn))
              .join(' '),
        },
        {
          header: 'status polls',
          cell: (r) =>
            r.revocationPolls > 0
              ? `${withTarget(r.statusPolls, r.target?.statusPolls, true)} + ${r.revocationPolls} revoke`
              : withTarget(r.statusPolls, r.target?.statusPolls, true),
          align: 'right',
        },
        { header: 'Describe calls', cell: (r) => String(r.describeCalls), align: 'right' },
        { header: 'DynamoDB tasks', cell: (r) => String(r.dynamodbTasks), align: 'right' },
        { header: '$/1M requests', cell: (r) => r.usdPerMillionRequests.toFixed(2), align: 'right' },
        {
          header: 'result',
          cell: resultCell,
        },
      ],
      rows,
    ),
  );
};

export const runInProcess = async (args: readonly string[]): Promise<ScenarioOutcome> => {
  const keepData = args.includes('--keep-data');
  const scenarioStart = now();
  const dataDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-cost-'));
  // Our own policy so the numbers do not move with config/policy.local.json: one approver, and a day-long window
  // so the reminder (a heartbeat at half the window) can never add RemindAndAwaitDecision to the count.
  const policyFile = join(dataDir, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      approvalTimeoutSeconds: 86_400,
      rules: [
        {
          action: 'sso:CreateAccountAssignment',
          match: { TargetId: ['111111111111', TIME_BOUND_ACCOUNT] },
          approvers: [APPROVER],
          maxDurationMinutes: 60,
        },
        { action: 'proton:AcceptEnvironmentAccountConnection', approvers: [APPROVER] },
      ],
    }),
  );
  // provisioningSeconds pinned (it is the default today): the one-poll expectation depends on it.
  const fixtures = JSON.stringify({ sso: { provisioningSeconds: PROVISIONING_SECONDS } });
  const started = await timed(() =>
    startLocalStack({ port: 0, awsPort: 0, dataDir, quiet: true, timeScale: TIME_SCALE, policyFile, fixtures }),
  );
  const stack = started.value;
  console.log(
    `stack: HTTP ${stack.httpUrl}, AWS ${stack.awsUrl}, time scale ${TIME_SCALE}, provisioningSeconds ${PROVISIONING_SECONDS}, started in ${formatDuration(started.ms)}`,
  );
  const sfn = new SFNClient({
    endpoint: stack.awsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const api = createLocalApi(stack.httpUrl);
    const tokens = { requester: await api.token(REQUESTER) };
    const specs: RunSpec[] = [
      {
        name: 'proton accept',
        body: protonRequest(PROTON_CONNECTION_IDS[0] ?? ''),
        finalStatus: 'COMPLETED',
        target: TARGETS.proton,
      },
      { name: 'sso assignment', body: ssoRequest(), finalStatus: 'COMPLETED', target: TARGETS.sso },
      {
        name: 'sso time-bound (1 min) → revoked',
        body: { ...ssoRequest({ TargetId: TIME_BOUND_ACCOUNT }), durationMinutes: 1 },
        finalStatus: 'REVOKED',
      },
    ];
    const rows: CostRow[] = [];
    const progress = startProgress({ label: 'requests', total: specs.length, unit: 'runs', intervalMs: 1000 });
    for (const spec of specs) {
      rows.push(await runOne(stack, api, sfn, tokens, spec));
      progress.update(rows.length);
    }
    progress.finish();

    console.log(
      `\nper request, counted from GetExecutionHistory (StateEntered events; lambda TaskScheduled, one per attempt)\n`,
    );
    printTable(rows);
    console.log('');
    for (const r of rows)
      console.log(
        `${r.name}: ${r.path.join(' → ')}  (${r.events} events, ${r.historyPages} page${r.historyPages === 1 ? '' : 's'}, ${formatDuration(r.wallMs)})`,
      );
    const sso = rows.find((r) => r.name === 'sso assignment');
    if (sso && sso.statusPolls > 1) {
      console.log(
        `\nnote: the SSO run needed ${sso.statusPolls} status polls, not 1: provisioning (${PROVISIONING_SECONDS} s × ${TIME_SCALE}) outlasted the 3 s wait (× ${TIME_SCALE}), ` +
          'so each extra poll added WaitForAssignment + CheckAssignment + AssignmentDone (3 transitions, 1 invocation)',
      );
    }
    const judged = rows.filter((r) => r.target);
    const passed = rows.every((r) => r.pass);
    console.log(
      `\noverall: ${passed ? 'PASS' : 'FAIL'} (${judged.filter((r) => r.pass).length}/${judged.length} targeted runs met their targets)`,
    );
    const file = writeResult('cost', {
      passed,
      targets: TARGETS,
      timeScale: TIME_SCALE,
      provisioningSeconds: PROVISIONING_SECONDS,
      pricing: {
        usdPerTransition: USD_PER_TRANSITION,
        usdPerLambdaRequest: USD_PER_LAMBDA_REQUEST,
        note: 'us-east-1 list prices, excluding Lambda duration, DynamoDB and free tier',
      },
      stack: { startMs: Math.round(started.ms) },
      rows,
      totalMs: Math.round(now() - scenarioStart),
    });
    console.log(`results: ${file}; scenario took ${formatDuration(now() - scenarioStart)}`);
    return { passed };
  } finally {
    sfn.destroy();
    await stack.close();
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    else console.log(`data kept in ${dataDir}`);
  }
};

// A fresh process: the stack cannot share one with another scenario's (see lib/isolate.ts).
export const run = (args: readonly string[]): Promise<ScenarioOutcome> => runIsolated(import.meta.url, args);
