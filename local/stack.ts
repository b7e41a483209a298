// The whole system on one machine: dynalite, the AWS emulators behind one endpoint, the workflow, and the HTTP
// API in front of the real handlers. Everything is derived from serverless.yml and statemachine/.
import { join, resolve } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { identityCenterBudgetKey } from '../functions/requests/keys.js';
import { NO_INSTANCE_KEY } from '../functions/shared/clients/identityCenterBudgetMiddleware.js';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createIdentityCenterDirectory } from '../functions/directory/identityCenter.js';
import { createPermissionSetNameStore } from '../functions/directory/permissionSetNames.js';
import { checkPolicyAgainstDirectory } from '../functions/policy/directoryCheck.js';
import { loadPolicyFile, type Policy } from '../functions/policy/policy.js';
import { systemClock } from '../functions/shared/clock.js';
import { logger } from '../functions/shared/logger.js';
import { startAwsEndpoint } from './awsEndpoint.js';
import type { CallCounts } from './callCounter.js';
import { ensureTable, startDynalite, timeToLiveOf } from './dynamodb.js';
import { FaultInjector, parseFaults } from './emulators/faults.js';
import {
  identityStoreWithPrincipals,
  loadFixtures,
  type LocalFixtures,
  ssoWithDirectory,
} from './emulators/fixtures.js';
import { createIdentityStoreEmulator } from './emulators/identityStore.js';
import { createOrganizationsEmulator } from './emulators/organizations.js';
import { createProtonEmulator } from './emulators/proton.js';
import { createSsoAdminEmulator } from './emulators/ssoAdmin.js';
import { createStepFunctionsEmulator, type StepFunctionsEmulator } from './emulators/stepFunctions.js';
import { createTaskRunner } from './emulators/taskRunner.js';
import { startHttpApi } from './httpApi.js';
import { enableInvocationClock, type InvocationTiming } from './invocationClock.js';
import { createLambdaRuntime, literalEnvironment, LOCAL_ACCOUNT_ID, LOCAL_REGION } from './lambdaRuntime.js';
import { loadLocalSecrets } from './secrets.js';
import { ENGINE_RESTARTED, failLostRequests } from './recovery.js';
import { loadServerlessConfig, projectRoot, substituteDefinition } from './serverlessConfig.js';
import { startReconcileTimer } from './reconcileTimer.js';
import type { ReconcileSummary } from '../functions/reconciliation/reconciler.js';

export interface LocalStackOptions {
  /** 0 picks a free port. Default 3000. */
  port?: number;
  /** 0 picks a free port. Default 4566. */
  awsPort?: number;
  dataDir: string;
  timeScale?: number;
  /** LOCAL_FIXTURES: inline JSON or a file path. */
  fixtures?: string;
  /** LOCAL_FAULTS. */
  faults?: string;
  policyFile?: string;
  publicBaseUrl?: string;
  /** Unset: generated once per data directory. */
  linkSigningSecret?: string;
  slackSigningSecret?: string;
  /** Set: handlers post to real Slack. Unset: messages go to the local outbox. */
  slackBotToken?: string;
  /** SLACK_API_URL: where the Slack Web API client sends calls (a fake Slack in tests). Unset: slack.com. */
  slackApiUrl?: string;
  /** Suppress informational lines; errors are still reported. */
  quiet?: boolean;
  /**
   * Rewrites the state machine definition in memory before the engine starts; the file is never touched. For
   * experiments such as the bulk benchmark's JitterStrategy NONE baseline, never for production settings.
   */
  transformDefinition?: (definition: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Times every handler invocation and the queueing in it (see invocationClock.ts), for the latency benchmark. It
   * costs CPU on every callback, so it is off unless asked for.
   */
  timeInvocations?: boolean;
  /**
   * The reconciler's period in AWS seconds (scaled by timeScale like everything else), as EventBridge Scheduler runs it
   * every 5 minutes in AWS. Default 300. 0: no timer (reconcileNow still runs it), for work that must not be raced.
   */
  reconcileIntervalSeconds?: number;
}

export interface LocalStack {
  httpUrl: string;
  awsUrl: string;
  /** dynalite itself, behind awsUrl's proxy: for bulk loads that need not pay for the extra hop. */
  dynamoUrl: string;
  dataDir: string;
  tableName: string;
  stateMachineArn: string;
  stepFunctions: StepFunctionsEmulator;
  /** Calls the emulated AWS endpoint received for one `X-Amz-Target`, e.g. `AWSStepFunctions.SendTaskSuccess`. */
  awsCallCount(target: string): number;
  /** Every X-Amz-Target called so far with its count (a copy), for diffing around a piece of work. */
  awsCallCounts(): CallCounts;
  /** The invocations timed since the last call; only on a stack started with `timeInvocations`. */
  invocationTimings(): Promise<InvocationTiming[]>;
  /** Runs the reconcile function now (after a run under way, never alongside it) and answers its summary. */
  reconcileNow(): Promise<ReconcileSummary>;
  close(): Promise<void>;
}

// Handlers read process.env once and keep their AWS clients, and ES modules cannot be unloaded. So every stack
// started in one process must hand them the same values: a restart asking for port 0 gets the previous ports
// back, and a stack that would change any handler variable is refused instead of silently talking to the old one.
let firstStack: { port: number; awsPort: number; environment: Record<string, string> } | undefined;

const refuseChanges = (environment: Record<string, string>): void => {
  const changed = Object.keys(environment).find(
    (name) => firstStack && environment[name] !== firstStack.environment[name],
  );
  if (changed) {
    throw new Error(
      `startLocalStack: ${changed} differs from the first stack of this process; handlers keep their first configuration, so start a new process`,
    );
  }
};

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/** How long close() waits for running handlers: their 10 s Lambda timeout. */
const HANDLER_DRAIN_MS = 10_000;

const checkPolicyAgainstLocalDirectory = async (
  policy: Policy,
  policyFile: string,
  endpoint: string,
  fixtures: LocalFixtures,
  tableName: string,
): Promise<void> => {
  const client = { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const clients = {
    identityStore: new IdentitystoreClient(client),
    organizations: new OrganizationsClient(client),
    ssoAdmin: new SSOAdminClient(client),
    dynamodb: new DynamoDBClient(client),
  };
  try {
    const directory = createIdentityCenterDirectory({
      ...clients,
      clock: systemClock,
      instanceArn: fixtures.sso.instanceArn,
      identityStoreId: fixtures.identityStore.id,
      permissionSetNames: createPermissionSetNameStore({
        db: DynamoDBDocumentClient.from(clients.dynamodb),
        tableName,
        clock: systemClock,
      }),
    });
    await checkPolicyAgainstDirectory(policy, directory, `policy file ${policyFile}`);
    // The start is the directory's first reader, as a deployment's first cold function is: it stores the permission
    // sets' names (permissionSetNames.ts), so the functions' cold starts read them, and a request the functions refuse
    // leaves the table as it found it (the e2e tests count its items).
    await directory.permissionSets();
  } finally {
    for (const c of Object.values(clients)) c.destroy();
  }
};

/**
 * The Identity Center budget's items (functions/provisioning/identityCenterBudget.ts) exist from the start, like the
 * table in AWS after the first minute of traffic: otherwise the stack's first Identity Center call, often a directory
 * read for a request that is then refused, would be what creates one, and a refused request writes nothing.
 */
const seedIdentityCenterBudget = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  instanceArns: readonly string[],
): Promise<void> => {
  for (const instanceArn of instanceArns) {
    const { pk, sk } = identityCenterBudgetKey(instanceArn);
    await dynamodb
      .send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: pk }, sk: { S: sk } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        // Already there from an earlier run in this data directory.
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      });
  }
};

export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const log = options.quiet ? () => undefined : (line: string) => console.log(line);
  const logError = (line: string) => console.error(line);
  const config = loadServerlessConfig();
  const dataDir = resolve(options.dataDir);
  const policyFile = options.policyFile ? resolve(options.policyFile) : join(projectRoot, 'config/policy.local.json');
  const timeScale = options.timeScale ?? 1;
  const tableName = `${config.service}-local-requests`;
  const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${config.service}-local-approval`;

  // Everything that can be checked without side effects is checked first, so a typo fails in milliseconds.
  const policy = loadPolicyFile(policyFile);
  const fixtures = loadFixtures(options.fixtures);
  // Windowed faults count AWS time from here, the moment this stack starts.
  const faults = new FaultInjector(parseFaults(options.faults), Math.random, { startedAtMs: Date.now(), timeScale });
  const substitutions: Record<string, string> = {};
  for (const [name, substitution] of Object.entries(config.stateMachine.substitutions)) {
    if (substitution.kind === 'function') {
      substitutions[name] = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${substitution.functionName}`;
    } else if (substitution.logicalId === config.table.logicalId) {
      substitutions[name] = tableName;
    } else {
      throw new Error(`serverless.yml: substitution ${name} references ${substitution.logicalId}, not the table`);
    }
  }
  const secrets = loadLocalSecrets(dataDir, options);
  const outboxFile = join(dataDir, 'outbox.jsonl');
  const baseEnvironment: Record<string, string> = {
    ...literalEnvironment(config),
    POWERTOOLS_SERVICE_NAME: config.service,
    AWS_REGION: LOCAL_REGION,
    TABLE_NAME: tableName,
    STATE_MACHINE_ARN: stateMachineArn,
    POLICY_FILE: policyFile,
    OUTBOX_FILE: outboxFile,
    LINK_SIGNING_SECRET: secrets.linkSigningSecret,
    SLACK_SIGNING_SECRET: secrets.slackSigningSecret,
    SLACK_BOT_TOKEN: options.slackBotToken ?? '',
    SLACK_API_URL: options.slackApiUrl ?? '',
    // Handlers turn AWS durations (a grant's end, the Identity Center budget's rate, the reconciler's period) into
    // wall time with it, as the engine and the emulators do (functions/shared/config.ts timeScale).
    LOCAL_TIME_SCALE: String(timeScale),
  };
  // Checked again once the ports are known; checking now fails before anything is started.
  refuseChanges(baseEnvironment);

  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const dynamo = await startDynalite({ path: join(dataDir, 'dynamodb') });
    closers.push(() => dynamo.close());
    const dynamodb = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    closers.push(async () => dynamodb.destroy());
    await ensureTable(dynamodb, tableName, config.table);
    await seedIdentityCenterBudget(dynamodb, tableName, [fixtures.sso.instanceArn, NO_INSTANCE_KEY]);

    const clock = options.timeInvocations ? enableInvocationClock() : undefined;
    if (clock) closers.push(async () => clock.disable());
    const runtime = createLambdaRuntime(config, { projectRoot, ...(clock ? { clock } : {}) });
    const definition = substituteDefinition(config.stateMachine.definition, substitutions);
    const stepFunctions = createStepFunctionsEmulator({
      definition: options.transformDefinition ? options.transformDefinition(definition) : definition,
      stateMachineArn,
      taskRunner: createTaskRunner({ invokeLambda: (name, payload) => runtime.invoke(name, payload), dynamodb }),
      timeScale,
      stateFile: join(dataDir, 'stepfunctions.json'),
      ...(clock ? { runAsEngine: clock.asEngineWork } : {}),
    });
    closers.push(() => stepFunctions.close());
    const lost = stepFunctions.lostExecutions();
    if (lost.length > 0) {
      const failed = await failLostRequests(dynamodb, tableName, lost);
      log(
        `${lost.length} execution(s) were running when the stack last stopped and cannot be resumed; ${failed} request(s) marked ${ENGINE_RESTARTED} (pending: FAILED; approved: OUTCOME_UNKNOWN, for the reconciler to settle; active: workflow_lost, for the reconciler to end on time)`,
      );
    }

    const aws = await startAwsEndpoint({
      port: options.awsPort === 0 && firstStack ? firstStack.awsPort : (options.awsPort ?? 4566),
      host: '127.0.0.1',
      dynamodbEndpoint: dynamo.endpoint,
      timeToLive: { [tableName]: timeToLiveOf(config.table) },
      emulators: [
        stepFunctions,
        // The directory's users, groups and accounts are principals and targets too, as in one real Identity Center.
        createSsoAdminEmulator({
          fixtures: ssoWithDirectory(fixtures),
          identityStoreId: fixtures.identityStore.id,
          timeScale,
          stateFile: join(dataDir, 'sso-admin.json'),
        }),
        createProtonEmulator({
          fixtures: fixtures.proton,
          region: LOCAL_REGION,
          stateFile: join(dataDir, 'proton.json'),
        }),
        // Principals listed only under `sso` are identity-store users and groups too, as in one real Identity Center.
        createIdentityStoreEmulator({ fixtures: identityStoreWithPrincipals(fixtures) }),
        createOrganizationsEmulator({ fixtures: fixtures.organizations }),
      ],
      faults,
      logError,
    });
    // Ahead of the workflow in the list, so the workflow closes first and running tasks keep their services; then
    // every handler still running (an API call whose client went away, a task the engine stopped waiting for) is let
    // finish before the endpoint, and dynalite behind it, close: a late call would hit a closed database.
    closers.splice(
      closers.length - 1,
      0,
      () => aws.close(),
      async () => {
        const abandoned = await runtime.drain(HANDLER_DRAIN_MS);
        // Past their Lambda timeout AWS would have stopped them too; closing anyway, but never quietly.
        if (abandoned > 0)
          logError(`${abandoned} handler(s) still running after ${HANDLER_DRAIN_MS} ms; closing without them`);
      },
    );

    // The policy against the emulated directory, as the functions check it before their first answer: a group, OU or
    // permission set the fixtures lack stops the start here, naming the rule, instead of failing each request.
    await checkPolicyAgainstLocalDirectory(policy, policyFile, aws.url, fixtures, tableName);

    const http = await startHttpApi({
      port: options.port === 0 && firstStack ? firstStack.port : (options.port ?? 3000),
      host: '127.0.0.1',
      routes: config.routes,
      invoke: (name, event) => runtime.invoke(name, event),
      jwtKey: Buffer.from(secrets.jwtSigningKey, 'base64url'),
      outboxFile,
      logError,
    });
    closers.push(() => http.close());

    // Set before this function returns, hence before any request can reach a handler (they read it once).
    const environment: Record<string, string> = {
      ...baseEnvironment,
      AWS_ENDPOINT_URL: aws.url,
      PUBLIC_BASE_URL: (options.publicBaseUrl ?? http.url).replace(/\/+$/, ''),
    };
    refuseChanges(environment);
    firstStack ??= { port: http.port, awsPort: aws.port, environment };
    Object.assign(process.env, environment);
    // An inherited token would send local test traffic to real Slack.
    if (!options.slackBotToken) delete process.env.SLACK_BOT_TOKEN;
    process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
    process.env.POWERTOOLS_LOG_LEVEL ??= options.quiet ? 'ERROR' : 'INFO';
    // The shared logger was built when its module was first imported (by this file, through the policy module),
    // before the line above could set its level, so it is told again; an explicit POWERTOOLS_LOG_LEVEL still wins.
    logger.setLogLevel(process.env.POWERTOOLS_LOG_LEVEL as LogLevel);

    // Started last, once handlers can read their environment; closed first (closers run in reverse), so no run starts
    // against a closing endpoint. Its first run is now: a restart catches up with what came due while it was down.
    const reconcileIntervalSeconds = options.reconcileIntervalSeconds ?? 300;
    const invokeReconcile = () => runtime.invoke('reconcile', {});
    const reconciler = startReconcileTimer({
      invoke: invokeReconcile,
      periodMs: reconcileIntervalSeconds > 0 ? reconcileIntervalSeconds * 1000 * timeScale : 0,
      onError: (error) => logError(`reconciler run failed: ${error.name}: ${error.message}`),
    });
    closers.push(() => reconciler.close());
    // The run at start is awaited: a restart has caught up before the stack serves, and the handler's modules are
    // loaded now, by the caller, rather than by a timer in the background (under jest, a module imported outside a
    // test or hook fails to link, and takes the modules it shares with other handlers down with it).
    await reconciler.started;

    return {
      httpUrl: http.url,
      awsUrl: aws.url,
      dynamoUrl: dynamo.endpoint,
      dataDir,
      tableName,
      stateMachineArn,
      stepFunctions,
      awsCallCount: (target) => aws.callCount(target),
      awsCallCounts: () => aws.callCounts(),
      invocationTimings: () => {
        if (!clock) throw new Error('invocationTimings: start the stack with timeInvocations to time invocations');
        return clock.take();
      },
      reconcileNow: () => reconciler.runNow(),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
};
