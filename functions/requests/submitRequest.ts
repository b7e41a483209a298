// Submitting a request: validate the body against the action's AWS constraints, route it through policy,
// and start its workflow. A rejected request writes nothing and starts nothing; an accepted one writes
// only the idempotency record (when asked for) before StartExecution, whose first state records it.
import { createHash } from 'node:crypto';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { findAction, type RegisteredAction } from '../actions/registry.js';
import { describeTarget, type ActionClients } from '../actions/targetFacts.js';
import { routeApproval, type Policy } from '../policy/policy.js';
import type { Clock, IdGenerator } from '../shared/clock.js';
import { IdempotencyConflictError, ValidationError, type ErrorDetail } from '../shared/errors.js';
import { toValidator } from '../shared/validation.js';
import { buildExecutionInput } from './executionInput.js';
import { REQUEST_KIND, requestKey, statusIndexKeys } from './keys.js';
import type { RequestItem } from './model.js';
import { event, type RequestRepository } from './repository.js';
import { validateIdempotencyKeyHeader, validateSubmitBody } from './submitValidators.generated.js';

const IDEMPOTENCY_TTL_SECONDS = 86_400;

interface SubmitBody {
  action: string;
  parameters: Record<string, unknown>;
  justification: string;
  durationMinutes?: number;
}

const validateBody = toValidator<SubmitBody>(validateSubmitBody);
const validateIdempotencyKey = toValidator<string>(validateIdempotencyKeyHeader);

export interface SubmitDeps {
  policy: Policy;
  clients: ActionClients;
  repository: RequestRepository;
  sfn: SFNClient;
  stateMachineArn: string;
  clock: Clock;
  newId: IdGenerator;
}

export interface SubmitInput {
  /** The parsed JSON body (the edge rejects bodies that are not JSON). */
  body: unknown;
  requester: string;
  idempotencyKey?: string;
}

export interface SubmitResponse {
  requestId: string;
  status: 'PENDING_APPROVAL';
  action: string;
  summary: string;
  approvers: string[];
  minApprovals: number;
  createdAt: string;
  expiresAt: string;
  [key: string]: unknown;
}

/** Sorted-key JSON, so the same body written with keys in another order is still the same request. */
const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const validate = (
  body: unknown,
): { body: SubmitBody; parameters: Record<string, string>; action: RegisteredAction } => {
  const shape = validateBody(body);
  if (!shape.ok) {
    // Report parameter problems too when the action itself is known, so one round trip shows everything.
    const action =
      typeof (body as SubmitBody | null)?.action === 'string' ? findAction((body as SubmitBody).action) : undefined;
    const parameters = (body as SubmitBody | null)?.parameters;
    const extra =
      action && parameters && typeof parameters === 'object'
        ? action.validateParameters(parameters, 'parameters')
        : undefined;
    throw new ValidationError([...shape.details, ...(extra && !extra.ok ? extra.details : [])]);
  }
  const action = findAction(shape.value.action);
  // The body schema enumerates the registry's actions, so this only guards against the two drifting apart.
  if (!action) throw new ValidationError([{ path: 'action', message: `unknown action ${shape.value.action}` }]);
  const parameters = action.validateParameters(shape.value.parameters, 'parameters');
  const details: ErrorDetail[] = parameters.ok ? [] : [...parameters.details];
  if (shape.value.durationMinutes !== undefined && !action.definition.revocable) {
    details.push({
      path: 'durationMinutes',
      message: `${action.definition.name} cannot be revoked automatically, so it cannot be time-bound`,
    });
  }
  if (details.length > 0 || !parameters.ok) throw new ValidationError(details);
  return { body: shape.value, parameters: parameters.value, action };
};

const startExecution = async (deps: SubmitDeps, requestId: string, input: string): Promise<void> => {
  try {
    await deps.sfn.send(new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name: requestId, input }));
  } catch (error) {
    // The execution name is the request id: if it exists, this is a replay of a start that already happened.
    if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
  }
};

export const submitRequest = async (input: SubmitInput, deps: SubmitDeps): Promise<SubmitResponse> => {
  if (input.idempotencyKey !== undefined) {
    const key = validateIdempotencyKey(input.idempotencyKey, 'Idempotency-Key');
    if (!key.ok)
      throw new ValidationError([{ path: 'Idempotency-Key', message: key.details[0]?.message ?? 'is invalid' }]);
  }
  const { body, parameters, action: registered } = validate(input.body);
  const action = registered.definition;
  // Facts (e.g. a Proton connection's environment) may be matched by policy, but never override parameters.
  const facts = await describeTarget(action.name, parameters, deps.clients);
  const route = routeApproval(deps.policy, {
    action: action.name,
    parameters: { ...facts, ...parameters },
    requester: input.requester,
  });
  if (body.durationMinutes !== undefined && body.durationMinutes > route.maxDurationMinutes) {
    throw new ValidationError([
      {
        path: 'durationMinutes',
        message: `must be at most ${route.maxDurationMinutes} minutes (maxDurationMinutes of the matching rule)`,
      },
    ]);
  }
  const bodyHash = createHash('sha256').update(canonicalJson(body)).digest('hex');

  if (input.idempotencyKey !== undefined) {
    const previous = await deps.repository.getIdempotency(input.requester, input.idempotencyKey);
    if (previous) return replay(previous, bodyHash, deps);
  }

  const requestId = deps.newId();
  const now = deps.clock.now();
  const createdAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + route.approvalTimeoutSeconds * 1000).toISOString();
  const summary = action.summarize(parameters, facts);
  const targetId = action.targetId(parameters);
  const item: RequestItem = {
    ...requestKey(requestId),
    kind: REQUEST_KIND,
    requestId,
    action: action.name,
    parameters: JSON.stringify(parameters),
    requester: input.requester,
    justification: body.justification,
    summary,
    targetId,
    status: 'PENDING_APPROVAL',
    ...statusIndexKeys({ requester: input.requester, targetId, action: action.name }, 'PENDING_APPROVAL'),
    createdAt,
    updatedAt: createdAt,
    expiresAt,
    approvers: route.approvers,
    minApprovals: route.minApprovals,
    approvalCount: 0,
    decisions: {},
    approvals: [],
    events: [
      event(createdAt, 'submitted', {
        requester: input.requester,
        approvers: route.approvers,
        minApprovals: route.minApprovals,
        ...(body.durationMinutes ? { durationMinutes: body.durationMinutes } : {}),
      }),
    ],
    ...(body.durationMinutes !== undefined ? { durationMinutes: body.durationMinutes } : {}),
  };
  const executionInput = JSON.stringify(buildExecutionInput(item, route));
  const response: SubmitResponse = {
    requestId,
    status: 'PENDING_APPROVAL',
    action: action.name,
    summary,
    approvers: route.approvers,
    minApprovals: route.minApprovals,
    createdAt,
    expiresAt,
    ...(body.durationMinutes !== undefined ? { durationMinutes: body.durationMinutes } : {}),
  };

  if (input.idempotencyKey !== undefined) {
    const claimed = await deps.repository.putIdempotency(
      input.requester,
      input.idempotencyKey,
      { bodyHash, requestId, executionInput, response },
      Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
    );
    if (!claimed) {
      // A concurrent call with the same key won the claim; answer as its replay.
      const winner = await deps.repository.getIdempotency(input.requester, input.idempotencyKey);
      if (winner) return replay(winner, bodyHash, deps);
    }
  }
  await startExecution(deps, requestId, executionInput);
  return response;
};

const replay = async (
  previous: { bodyHash: string; requestId: string; executionInput: string; response: Record<string, unknown> },
  bodyHash: string,
  deps: SubmitDeps,
): Promise<SubmitResponse> => {
  if (previous.bodyHash !== bodyHash) {
    throw new IdempotencyConflictError('This Idempotency-Key was already used with a different request body');
  }
  // Starting again is harmless (the name is taken) and finishes a first call that crashed before starting.
  await startExecution(deps, previous.requestId, previous.executionInput);
  return previous.response as SubmitResponse;
};
