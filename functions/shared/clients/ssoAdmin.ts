// The IAM Identity Center (SSO Admin) clients, in their own module so that only the functions that call Identity
// Center bundle them. Every one takes a token from the shared Identity Center budget before each call
// (identityCenterBudgetMiddleware.ts): Identity Center's 20 calls per second are per instance, for all our functions
// together, so one function's burst must not throttle another's.
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { createIdentityCenterBudget } from '../../provisioning/identityCenterBudget.js';
import { systemClock } from '../clock.js';
import { config } from '../config.js';
import { documentClient } from './dynamodb.js';
import { budgeted } from './identityCenterBudgetMiddleware.js';
import { lazy } from './lazy.js';

/**
 * How long a call may wait in process for its turn, in AWS seconds (×LOCAL_TIME_SCALE locally). Tasks wait briefly:
 * they must finish well within their 30 s task timeout (10 s locally), and a longer wait is cheaper as a Step Functions
 * retry than as Lambda time. HTTP reads wait a little longer, because their caller is a person and the alternative is
 * a 503.
 */
const TASK_WAIT_SECONDS = 1;
const READ_WAIT_SECONDS = 2;

/** The budget every SSO Admin client of this container takes its tokens from. */
export const identityCenterBudget = lazy(() =>
  createIdentityCenterBudget({
    db: documentClient(),
    tableName: config.tableName(),
    clock: systemClock,
    callsPerSecond: config.ssoTpsBudget(),
    timeScale: config.timeScale(),
  }),
);

const waitMs = (seconds: number): number => seconds * 1000 * config.timeScale();

/**
 * A call that gets no answer gives up well inside the task's Lambda timeout (30 s in AWS, 10 s locally): then it fails
 * as TimeoutError, which the task records and the state machine retries, instead of the whole invocation timing out
 * (Sandbox.Timedout) with nothing recorded and, in a revocation, the deletion slot held to its lease. Wall time, not
 * scaled: it bounds a network wait, which LOCAL_TIME_SCALE does not shorten.
 */
const TASK_REQUEST_TIMEOUT_MS = 6_000;
const TASK_CONNECTION_TIMEOUT_MS = 2_000;

// Step Functions owns retries and backoff for provisioning, so this client makes exactly one attempt per call. A call
// that cannot get a token within a second throws IdentityCenterBusy, which the state machine retries on its own retrier.
export const ssoAdminClient = lazy(() =>
  budgeted(
    new SSOAdminClient({
      maxAttempts: 1,
      requestHandler: { requestTimeout: TASK_REQUEST_TIMEOUT_MS, connectionTimeout: TASK_CONNECTION_TIMEOUT_MS },
    }),
    identityCenterBudget(),
    {
      maxWaitMs: waitMs(TASK_WAIT_SECONDS),
      instanceArn: config.ssoInstanceArn(),
    },
  ),
);

// Directory reads (ListInstances, ListPermissionSets, DescribePermissionSet) have no state machine behind them to
// retry, so they use a client of their own with the SDK's retries, in adaptive mode: Identity Center's 20 requests per
// second are shared with provisioning, and a throttled read slows the client's own sending rate down. The budget is
// taken once per command (the middleware runs before the SDK's retries); IdentityCenterBusy becomes a 503 with
// Retry-After at the HTTP edge.
export const ssoAdminReadClient = lazy(() =>
  budgeted(new SSOAdminClient({ retryMode: 'adaptive' }), identityCenterBudget(), {
    maxWaitMs: waitMs(READ_WAIT_SECONDS),
    instanceArn: config.ssoInstanceArn(),
  }),
);
