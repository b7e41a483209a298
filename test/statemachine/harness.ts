// Runs the real approval.asl.json on the local engine against in-memory dynalite, with scripted stub Lambdas.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { ensureTable, startDynalite, type LocalDynamo } from '../../local/dynamodb.js';
import { createStepFunctionsEmulator, type StepFunctionsEmulator } from '../../local/emulators/stepFunctions.js';
import { createTaskRunner } from '../../local/emulators/taskRunner.js';
import { loadServerlessConfig, substituteDefinition } from '../../local/serverlessConfig.js';
import { SSO_PARAMETERS } from '../fixtures/requests.js';
import { buildExecutionInput, type ExecutionInput } from '../../functions/requests/executionInput.js';
import { requestKey, statusIndexKeys } from '../../functions/requests/keys.js';
import type { RequestItem } from '../../functions/requests/model.js';

export const TABLE_NAME = 'access-approvals-test-requests';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:access-approvals-test-approval';
const functionArn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

export type Action = 'sso:CreateAccountAssignment' | 'proton:AcceptEnvironmentAccountConnection';
export type Payload = Record<string, unknown>;
/** A scripted Lambda response: an Error is thrown, a function computes the result, anything else is returned. */
export type Step = Error | ((payload: Payload) => unknown) | Record<string, unknown>;

export const awsError = (name: string, message = `${name} (stub)`): Error =>
  Object.assign(new Error(message), { name });

const defaults: Record<string, (payload: Payload) => unknown> = {
  notify: () => ({ sent: 1 }),
  accept: (payload) => ({
    status: 'CONNECTED',
    connection: { id: (payload.parameters as Payload).id, status: 'CONNECTED', environmentName: 'dev' },
  }),
  assign: () => ({ creationRequestId: randomUUID(), status: 'IN_PROGRESS' }),
  checkAssignment: (payload) => assignmentStatus('SUCCEEDED')(payload),
  // Reached only on error paths after a creation may have been accepted: by default nothing was created.
  verifyAssignment: (payload) => verification('ABSENT')(payload),
  // The last grant of an assignment: a deletion is started, then polled.
  revoke: () => ({
    Status: 'IN_PROGRESS',
    deleted: true,
    deletionRequestId: randomUUID(),
    polls: 0,
    reason: 'last grant of the assignment',
    FailureReason: '',
  }),
  checkRevocation: (payload) => revocationStatus('SUCCEEDED')(payload),
};

/** A checkAssignment response with the given creation status. */
export const assignmentStatus =
  (status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED', failureReason?: string) =>
  (payload: Payload): Record<string, unknown> => ({
    creationRequestId: payload.creationRequestId,
    status,
    polls: Number(payload.polls) + 1,
    assignment: {
      Status: status,
      RequestId: payload.creationRequestId,
      ...(failureReason === undefined ? {} : { FailureReason: failureReason }),
    },
    // As the real Lambda: when a time-bound grant's assignment exists, when it ends; '' otherwise.
    activeUntil:
      status === 'SUCCEEDED' && Number(payload.grantSeconds) > 0
        ? new Date(Date.now() + Number(payload.grantSeconds) * 1000).toISOString()
        : '',
  });

/** A verifyAssignment response: the assignment listed (the grant is recorded) or verified absent. */
export const verification =
  (verified: 'PRESENT' | 'ABSENT') =>
  (payload: Payload): Record<string, unknown> => ({
    creationRequestId: payload.creationRequestId,
    status: verified === 'PRESENT' ? 'SUCCEEDED' : 'ABSENT',
    polls: payload.polls,
    assignment: { Status: verified === 'PRESENT' ? 'SUCCEEDED' : 'ABSENT', VerifiedBy: 'ListAccountAssignments' },
    activeUntil:
      verified === 'PRESENT' && Number(payload.grantSeconds) > 0
        ? new Date(Date.now() + Number(payload.grantSeconds) * 1000).toISOString()
        : '',
    verified,
  });

/** A checkRevocation response with the given deletion status. */
export const revocationStatus =
  (status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED', failureReason?: string) =>
  (payload: Payload): Record<string, unknown> => ({
    Status: status,
    deleted: status === 'SUCCEEDED',
    reason: 'last grant of the assignment',
    deletionRequestId: payload.deletionRequestId,
    polls: Number(payload.polls ?? 0) + 1,
    // As the real Lambda: always present, '' unless the deletion FAILED.
    FailureReason: failureReason ?? '',
  });

/** Stub Lambdas keyed by serverless function name, scripted per request so executions never share behaviour. */
export class StubLambdas {
  readonly calls: Array<{ functionName: string; payload: Payload }> = [];
  private readonly scripts = new Map<string, Step[]>();
  private readonly tokens = new Map<string, string[]>();

  /** Queues responses for `functionName` on `requestId`; once they are used up the default answers. */
  script(functionName: string, requestId: string, ...steps: Step[]): void {
    this.scripts.set(`${functionName}/${requestId}`, steps);
  }

  callsTo(functionName: string, requestId: string, kind?: string): Payload[] {
    return this.calls
      .filter(
        (c) =>
          c.functionName === functionName &&
          c.payload.requestId === requestId &&
          (kind === undefined || c.payload.kind === kind),
      )
      .map((c) => c.payload);
  }

  /** The newest task token a stub received (a retried, reminded or granted wait gets a new one). */
  async taskToken(requestId: string, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const token = this.tokens.get(requestId)?.at(-1);
      if (token) return token;
      if (Date.now() > deadline) throw new Error(`no stub received a task token for ${requestId}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  readonly invoke = async (functionName: string, payload: unknown): Promise<unknown> => {
    const body = payload as Payload;
    const requestId = String(body.requestId);
    this.calls.push({ functionName, payload: body });
    // Each callback wait (the first ask, the wait after the reminder, a time-bound grant's wait for its end)
    // carries its own token.
    if (typeof body.taskToken === 'string') {
      this.tokens.set(requestId, [...(this.tokens.get(requestId) ?? []), String(body.taskToken)]);
    }
    const step = this.scripts.get(`${functionName}/${requestId}`)?.shift();
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(body);
    if (step !== undefined) return step;
    const fallback = defaults[functionName];
    if (!fallback) throw awsError('ResourceNotFoundException', `Function not found: ${functionName}`);
    return fallback(body);
  };
}

export interface Harness {
  emulator: StepFunctionsEmulator;
  dynamodb: DynamoDBClient;
  lambdas: StubLambdas;
  close(): Promise<void>;
}

export const loadDefinition = (): Record<string, unknown> => {
  const { stateMachine } = loadServerlessConfig();
  const values = Object.fromEntries(
    Object.entries(stateMachine.substitutions).map(([key, s]) => [
      key,
      s.kind === 'table' ? TABLE_NAME : functionArn(s.functionName),
    ]),
  );
  return substituteDefinition(stateMachine.definition, values);
};

export const startHarness = async (
  options: {
    timeScale?: number;
    /** Wraps the client the state machine's DynamoDB tasks use, so a test can make chosen writes fail. */
    taskDynamo?: (client: DynamoDBClient) => DynamoDBClient;
  } = {},
): Promise<Harness> => {
  const dynalite: LocalDynamo = await startDynalite();
  const dynamodb = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(dynamodb, TABLE_NAME, loadServerlessConfig().table);
  const lambdas = new StubLambdas();
  const emulator = createStepFunctionsEmulator({
    definition: loadDefinition(),
    stateMachineArn: STATE_MACHINE_ARN,
    taskRunner: createTaskRunner({
      invokeLambda: lambdas.invoke,
      dynamodb: options.taskDynamo ? options.taskDynamo(dynamodb) : dynamodb,
    }),
    timeScale: options.timeScale ?? 0.001,
  });
  return {
    emulator,
    dynamodb,
    lambdas,
    close: async () => {
      await emulator.close();
      dynamodb.destroy();
      await dynalite.close();
    },
  };
};

const parametersFor: Record<Action, () => Record<string, unknown>> = {
  'sso:CreateAccountAssignment': () => ({ ...SSO_PARAMETERS, PrincipalId: '906767a1-0000-4000-8000-000000000001' }),
  'proton:AcceptEnvironmentAccountConnection': () => ({ id: randomUUID() }),
};

/** The execution input the submit Lambda builds, through the same builder. */
export const buildInput = (
  action: Action,
  overrides: {
    requestId?: string;
    approvalTimeoutSeconds?: number;
    reminderAfterSeconds?: number;
    grantSeconds?: number;
  } = {},
) => {
  const requestId = overrides.requestId ?? randomUUID();
  const parameters = parametersFor[action]() as Record<string, string>;
  const now = new Date().toISOString();
  const approvalTimeoutSeconds = overrides.approvalTimeoutSeconds ?? 86_400;
  const item: RequestItem = {
    ...requestKey(requestId),
    kind: 'REQUEST',
    requestId,
    action,
    parameters: JSON.stringify(parameters),
    requester: 'alice@example.com',
    justification: 'state machine test',
    summary: `${action} test`,
    targetId: parameters.TargetId ?? parameters.id ?? '',
    status: 'PENDING_APPROVAL',
    ...statusIndexKeys(
      { requester: 'alice@example.com', targetId: parameters.TargetId ?? parameters.id ?? '', action },
      'PENDING_APPROVAL',
    ),
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(Date.now() + approvalTimeoutSeconds * 1000).toISOString(),
    approvers: ['bob@example.com'],
    minApprovals: 1,
    approvalCount: 0,
    decisions: {},
    approvals: [],
    events: [{ at: now, type: 'submitted', detail: '{}' }],
    // Whole minutes on the item, as submit stores them; the exact seconds go to the workflow below.
    ...(overrides.grantSeconds !== undefined
      ? { durationMinutes: Math.max(1, Math.ceil(overrides.grantSeconds / 60)) }
      : {}),
  };
  const input = buildExecutionInput(item, {
    approvalTimeoutSeconds,
    reminderAfterSeconds: overrides.reminderAfterSeconds ?? Math.floor(approvalTimeoutSeconds / 2),
  });
  // Grants shorter than a minute keep time-bound tests fast without a smaller time scale.
  return overrides.grantSeconds !== undefined ? { ...input, grantSeconds: overrides.grantSeconds } : input;
};
export type { ExecutionInput };

/** Calls the emulator and fails loudly on an error response, so a test reads like the SDK call it stands for. */
export const call = async <T = Record<string, unknown>>(h: Harness, operation: string, body: unknown): Promise<T> => {
  const response = await h.emulator.handle(operation, body);
  if (response.status !== 200) throw new Error(`${operation} failed: ${JSON.stringify(response.body)}`);
  return response.body as T;
};

export const startExecution = async (
  h: Harness,
  input: ExecutionInput,
  name: string = input.requestId,
): Promise<string> => {
  const { executionArn } = await call<{ executionArn: string }>(h, 'StartExecution', {
    stateMachineArn: STATE_MACHINE_ARN,
    name,
    input: JSON.stringify(input),
  });
  return executionArn;
};

export interface Execution {
  status: string;
  output?: string;
  error?: string;
  cause?: string;
}

export const waitForExecution = async (h: Harness, executionArn: string, timeoutMs = 10_000): Promise<Execution> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = await call<Execution>(h, 'DescribeExecution', { executionArn });
    if (execution.status !== 'RUNNING') return execution;
    if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

export interface HistoryEvent {
  id: number;
  type: string;
  [details: string]: unknown;
}

export const history = async (h: Harness, executionArn: string): Promise<HistoryEvent[]> => {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call<{ events: HistoryEvent[]; nextToken?: string }>(h, 'GetExecutionHistory', {
      executionArn,
      nextToken,
    });
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
};

export const stateTransitions = (events: HistoryEvent[]): number => enteredStates(events).length;

/** The names of the states entered, in order. */
export const enteredStates = (events: HistoryEvent[]): string[] =>
  events
    .filter((e) => e.type.endsWith('StateEntered'))
    .map((e) => String((e.stateEnteredEventDetails as { name?: string } | undefined)?.name));

/** Lambda invocations (one per attempt) of the state that scheduled `functionName`. */
export const lambdaInvocations = (events: HistoryEvent[], functionName: string): number =>
  events.filter((e) => {
    const details = e.taskScheduledEventDetails as { resourceType?: string; parameters?: string } | undefined;
    return (
      e.type === 'TaskScheduled' &&
      details?.resourceType === 'lambda' &&
      JSON.parse(details.parameters ?? '{}').FunctionName === functionArn(functionName)
    );
  }).length;

export const getItem = async (h: Harness, requestId: string): Promise<Record<string, AttributeValue>> => {
  const { Item } = await h.dynamodb.send(
    new GetItemCommand({
      TableName: TABLE_NAME,
      Key: { pk: { S: `REQUEST#${requestId}` }, sk: { S: 'REQUEST' } },
      ConsistentRead: true,
    }),
  );
  if (!Item) throw new Error(`no item for ${requestId}`);
  return Item;
};

export const eventTypes = (item: Record<string, AttributeValue>): string[] =>
  (item.events?.L ?? []).map((e) => e.M?.type?.S ?? '?');

/**
 * What the decide Lambda does: record the decision with a condition on the status, then resume the workflow
 * (SendTaskSuccess to approve, SendTaskFailure with error `Denied` to deny). Returns the Send* response.
 */
export const decide = async (h: Harness, requestId: string, decision: 'approve' | 'deny') => {
  const taskToken = await h.lambdas.taskToken(requestId);
  const at = new Date().toISOString();
  await h.dynamodb.send(
    new UpdateItemCommand({
      TableName: TABLE_NAME,
      Key: { pk: { S: `REQUEST#${requestId}` }, sk: { S: 'REQUEST' } },
      UpdateExpression: 'SET #status = :status, updatedAt = :at, events = list_append(events, :event)',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': { S: decision === 'approve' ? 'APPROVED' : 'DENIED' },
        ':pending': { S: 'PENDING_APPROVAL' },
        ':at': { S: at },
        ':event': {
          L: [
            {
              M: {
                at: { S: at },
                type: { S: decision === 'approve' ? 'approved' : 'denied' },
                detail: { S: '{"approver":"bob@example.com"}' },
              },
            },
          ],
        },
      },
    }),
  );
  return decision === 'approve'
    ? h.emulator.handle('SendTaskSuccess', {
        taskToken,
        output: JSON.stringify({ decision: 'approve', approver: 'bob@example.com' }),
      })
    : h.emulator.handle('SendTaskFailure', { taskToken, error: 'Denied', cause: 'Denied by bob@example.com' });
};
