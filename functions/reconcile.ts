// Scheduled (EventBridge Scheduler, every 5 minutes; locally local/reconcileTimer.ts): one reconciler run. It returns
// the run's summary, which the log line repeats.
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { defaultNotifier, defaultSlackIdentity, defaultSlackNotifier } from './notifications/channels.js';
import { notifyOutcome, notifyRevokeOverdue, type NotifyDeps } from './notifications/notify.js';
import { currentPolicy } from './policy/currentPolicy.js';
import { countCalls } from './reconciliation/callCounter.js';
import type { ReconcilerDeps } from './reconciliation/deps.js';
import { reconcile, type ReconcileSummary } from './reconciliation/reconciler.js';
import { defaultAssignmentDeps, defaultLedger } from './shared/assignmentDefaults.js';
import { documentClient } from './shared/clients/dynamodb.js';
import { budgeted } from './shared/clients/identityCenterBudgetMiddleware.js';
import { retryTransient } from './reconciliation/retryTransient.js';
import { createRunLease } from './reconciliation/runLease.js';
import { sfnClient } from './shared/clients/sfn.js';
import { identityCenterBudget } from './shared/clients/ssoAdmin.js';
import { systemClock } from './shared/clock.js';
import { config } from './shared/config.js';
import { defaultRepository } from './shared/defaults.js';
import { ConfigError } from './shared/errors.js';
import { logger } from './shared/logger.js';
import { linkSigningSecret } from './shared/secrets.js';

/**
 * Kept in hand before the Lambda's timeout, in AWS seconds: the call under way at the last time check may take its
 * budget wait (5 s) and 5 attempts with backoff (up to about 20 s) before it returns, then the summary's log line. A
 * run cut off mid-call could leave a deletion started and not recorded. At least 3 wall seconds for real latency.
 */
const TIME_MARGIN_SECONDS = 30;
const MIN_TIME_MARGIN_MS = 3_000;

/**
 * How long one call may wait in process for its turn in the shared Identity Center budget, in AWS seconds. Longer than
 * a task's second: the reconciler has no state machine to retry it, and its own time budget bounds the run.
 */
const BUDGET_WAIT_SECONDS = 5;
/** A throttled or busy call is tried this often in one run (up to about 20 AWS seconds of backoff) before the step gives up on it. */
const TRANSIENT_ATTEMPTS = 5;

// Its own client, so the summary counts this function's calls only (locally every handler shares one process), with
// one SDK attempt per call and a few of its own on transient answers (reconciliation/retryTransient.ts), taking the shared Identity Center budget like every other client.
let client: { ssoAdmin: SSOAdminClient; ssoCalls: () => number } | undefined;
const reconcilerClient = (): { ssoAdmin: SSOAdminClient; ssoCalls: () => number } => {
  if (client) return client;
  const ssoAdmin = retryTransient(
    budgeted(new SSOAdminClient({ maxAttempts: 1 }), identityCenterBudget(), {
      maxWaitMs: BUDGET_WAIT_SECONDS * 1000 * config.timeScale(),
      instanceArn: config.ssoInstanceArn(),
    }),
    { attempts: TRANSIENT_ATTEMPTS, baseSeconds: 1, maxDelaySeconds: 8, timeScale: config.timeScale() },
  );
  client = { ssoAdmin, ssoCalls: countCalls(ssoAdmin) };
  return client;
};

let instanceArn: Promise<string> | undefined;
const discoverInstance = (): Promise<string> =>
  (instanceArn ??= (async () => {
    const configured = config.ssoInstanceArn();
    if (configured) return configured;
    const { Instances = [] } = await reconcilerClient().ssoAdmin.send(new ListInstancesCommand({ MaxResults: 2 }));
    if (Instances.length !== 1 || !Instances[0]?.InstanceArn)
      throw new ConfigError(
        `Found ${Instances.length} Identity Center instances; set SSO_INSTANCE_ARN (and IDENTITY_STORE_ID)`,
      );
    return Instances[0].InstanceArn;
  })().catch((error: unknown) => {
    instanceArn = undefined;
    throw error;
  }));

const notifyDeps = async (): Promise<NotifyDeps> => {
  const slack = await defaultSlackNotifier();
  return {
    repository: defaultRepository(),
    notifier: await defaultNotifier(),
    clock: systemClock,
    linkSecret: await linkSigningSecret(),
    publicBaseUrl: config.publicBaseUrl(),
    people: currentPolicy().people ?? [],
    auditors: currentPolicy().auditors ?? [],
    slackUserIdFor: (await defaultSlackIdentity()).slackUserIdFor,
    ...(slack ? { slack } : {}),
  };
};

const run = async (_event: unknown, context: Context): Promise<ReconcileSummary> => {
  const policy = currentPolicy();
  const { ssoAdmin, ssoCalls } = reconcilerClient();
  const deps: ReconcilerDeps = {
    db: documentClient(),
    tableName: config.tableName(),
    repository: defaultRepository(),
    ledger: defaultLedger(),
    assignment: { ...defaultAssignmentDeps(), ssoAdmin },
    ssoAdmin,
    sfn: sfnClient(),
    stateMachineArn: config.stateMachineArn(),
    clock: systemClock,
    timeScale: config.timeScale(),
    watch: policy.reconcile?.watch ?? [],
    instanceArn: discoverInstance,
    notify: {
      outcome: async (requestId) => notifyOutcome({ requestId }, await notifyDeps()),
      revokeOverdue: async (requestId, overdueMinutes) => {
        await notifyRevokeOverdue({ requestId, overdueMinutes }, await notifyDeps());
      },
    },
    remainingMs: () =>
      context.getRemainingTimeInMillis() -
      Math.max(MIN_TIME_MARGIN_MS, TIME_MARGIN_SECONDS * 1000 * config.timeScale()),
    runLease: createRunLease({ db: documentClient(), tableName: config.tableName(), clock: systemClock }),
    ssoCalls,
  };
  return reconcile(deps);
};

export const handler = middy<unknown, ReconcileSummary>()
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .handler(run);
