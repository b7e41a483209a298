// Submitting a request: validate the body, fill in what a request by name leaves out, route it through policy, take
// the display snapshot, and start its workflow. A rejected request writes nothing and starts nothing; an accepted one
// writes only the idempotency record (when asked for) before StartExecution, whose first state records it.
import { createHash } from 'node:crypto';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parameterCompletion } from '../actions/parameterCompletion.js';
import { findAction, type RegisteredAction } from '../actions/registry.js';
import { describeTarget, type ActionClients } from '../actions/targetFacts.js';
import type { Directory } from '../directory/directory.js';
import { resolveCaller, routeRequest, type RequestRoute, type ResolvedCaller } from '../policy/eligibility.js';
import { groupName, type Policy } from '../policy/policy.js';
import type { Clock, IdGenerator } from '../shared/clock.js';
import { IdempotencyConflictError, ValidationError, type ErrorDetail } from '../shared/errors.js';
import { toValidator, type Validator } from '../shared/validation.js';
import { buildDisplay } from './display.js';
import { buildExecutionInput } from './executionInput.js';
import { REQUEST_KIND, requestKey, statusIndexKeys } from './keys.js';
import type { RequestDisplay, RequestItem, RequestOrigin } from './model.js';
import { event, type RequestRepository } from './repository.js';
import {
  submittedParameterValidators,
  validateIdempotencyKeyHeader,
  validateSubmitBody,
} from './submitValidators.generated.js';

const IDEMPOTENCY_TTL_SECONDS = 86_400;

interface SubmitBody {
  action: string;
  parameters: Record<string, unknown>;
  justification: string;
  durationMinutes?: number;
}

const validateBody = toValidator<SubmitBody>(validateSubmitBody);
const validateIdempotencyKey = toValidator<string>(validateIdempotencyKeyHeader);
const submittedParameters = new Map<string, Validator<Record<string, unknown>>>(
  Object.entries(submittedParameterValidators).map(([action, validate]) => [action, toValidator(validate)]),
);

export interface SubmitDeps {
  policy: Policy;
  clients: ActionClients;
  repository: RequestRepository;
  sfn: SFNClient;
  stateMachineArn: string;
  clock: Clock;
  newId: IdGenerator;
  /**
   * Identity Center (defaultDirectory() in a deployment). Without one nothing is looked up: the caller is known by
   * their id alone, a body must carry all six parameters, the request has no display snapshot (readers show ids), and
   * a policy that needs the directory (requesters, group approvers, OU or name keys) fails loudly.
   */
  directory?: Directory;
}

export interface SubmitInput {
  /** The parsed JSON body (the edge rejects bodies that are not JSON). */
  body: unknown;
  requester: string;
  /** The JWT's claims, which the policy's `identity` mapping reads (by default `email`). */
  claims?: Readonly<Record<string, unknown>>;
  idempotencyKey?: string;
  /**
   * Where the request was made, when not over HTTP: Slack's `/access` modal passes the submitting Slack user, whose
   * one DM is then updated as the request moves. Stored on the request as it is; absent for the API and the pages.
   */
  origin?: RequestOrigin;
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
  display?: RequestDisplay;
  [key: string]: unknown;
}

/** Sorted-key JSON, so the same body written with keys in another order is still the same request. */
const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Everything wrong with the parameters as submitted (by name, defaults left out), found without any look-up. */
const submittedParameterProblems = (action: RegisteredAction, parameters: Record<string, unknown>): ErrorDetail[] => {
  const validate = submittedParameters.get(action.definition.name) ?? action.validateParameters;
  const shape = validate(parameters, 'parameters');
  const pairs = parameterCompletion(action.definition.name)?.check(parameters, 'parameters') ?? [];
  return [...(shape.ok ? [] : shape.details), ...pairs];
};

/** The body's shape and every problem that needs no look-up, all reported together in one 400. */
const validate = (body: unknown): { body: SubmitBody; action: RegisteredAction } => {
  const shape = validateBody(body);
  const named = isRecord(body) && typeof body.action === 'string' ? findAction(body.action) : undefined;
  const parameters = isRecord(body) ? body.parameters : undefined;
  // Report parameter problems too when the action itself is known, so one round trip shows everything.
  const details: ErrorDetail[] = [
    ...(shape.ok ? [] : shape.details),
    ...(named && isRecord(parameters) ? submittedParameterProblems(named, parameters) : []),
  ];
  if (!shape.ok) throw new ValidationError(details);
  const action = named;
  // The body schema enumerates the registry's actions, so this only guards against the two drifting apart.
  if (!action) throw new ValidationError([{ path: 'action', message: `unknown action ${shape.value.action}` }]);
  if (shape.value.durationMinutes !== undefined && !action.definition.revocable) {
    details.push({
      path: 'durationMinutes',
      message: `${action.definition.name} cannot be revoked automatically, so it cannot be time-bound`,
    });
  }
  if (details.length > 0) throw new ValidationError(details);
  return { body: shape.value, action };
};

/**
 * The six parameters AWS receives: the body's, with what it left out filled in, checked against the reference
 * constraints exactly as a body that gave them all.
 */
const completeParameters = async (
  action: RegisteredAction,
  given: Record<string, unknown>,
  caller: ResolvedCaller,
  directory: Directory,
): Promise<Record<string, string>> => {
  const completion = parameterCompletion(action.definition.name);
  const completed = completion ? await completion.complete(given, { directory, caller }) : given;
  const checked = action.validateParameters(completed, 'parameters');
  if (!checked.ok) throw new ValidationError(checked.details);
  return checked.value;
};

/**
 * Stands in when no directory is configured: a first-stage policy never calls it, and one that does fails loudly
 * rather than being routed as if its identity checks had passed.
 */
const noDirectory: Directory = new Proxy({} as Directory, {
  // Not a thenable: only the Directory's own methods answer, so awaiting the object itself stays harmless.
  get: (_target, method) =>
    method === 'then'
      ? undefined
      : () =>
          Promise.reject(new Error(`No Identity Center directory is configured, but submit needed ${String(method)}`)),
});

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
  const { body, action: registered } = validate(input.body);
  const action = registered.definition;
  const directory = deps.directory ?? noDirectory;
  const caller: ResolvedCaller = deps.directory
    ? await resolveCaller(deps.policy, deps.directory, { id: input.requester, claims: input.claims ?? {} })
    : { id: input.requester };
  const parameters = await completeParameters(registered, body.parameters, caller, directory);
  // Facts (e.g. a Proton connection's environment) may be matched by policy, but never override parameters.
  const facts = await describeTarget(action.name, parameters, deps.clients);
  const route: RequestRoute = await routeRequest(deps.policy, directory, {
    action: action.name,
    parameters,
    facts,
    caller,
  });
  if (body.durationMinutes !== undefined && body.durationMinutes > route.maxDurationMinutes) {
    throw new ValidationError([
      {
        path: 'durationMinutes',
        message: `must be at most ${route.maxDurationMinutes} minutes (maxDurationMinutes of the matching rule)`,
      },
    ]);
  }
  // Taken after routing, so a request policy refuses costs no look-up for its names; the principal must exist.
  const display = deps.directory
    ? await buildDisplay({ action: action.name, parameters, facts, caller }, deps.directory)
    : undefined;
  const bodyHash = createHash('sha256').update(canonicalJson(body)).digest('hex');

  if (input.idempotencyKey !== undefined) {
    const previous = await deps.repository.getIdempotency(input.requester, input.idempotencyKey);
    if (previous) return replay(previous, bodyHash, deps);
  }

  const requestId = deps.newId();
  const now = deps.clock.now();
  const createdAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + route.approvalTimeoutSeconds * 1000).toISOString();
  const summary = action.summarize(parameters, facts, display);
  const approverGroups = route.approvalRequired
    ? (deps.policy.rules[route.ruleIndex]?.approvers ?? []).filter((entry) => groupName(entry) !== undefined)
    : [];
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
    ...(display ? { display } : {}),
    ...(route.approvalRequired ? {} : { approvalRequired: false }),
    ...(route.slackChannel !== undefined ? { slackChannel: route.slackChannel } : {}),
    ...(input.origin ? { origin: input.origin } : {}),
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
        // Which groups the approvers were expanded from: membership may change later, the stored list does not.
        ...(approverGroups.length > 0 ? { approverGroups } : {}),
        ...(route.approvalRequired ? {} : { approvalRequired: false }),
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
    // The workflow approves it as `system` a moment after it records it, before anyone is asked.
    ...(route.approvalRequired ? {} : { approvalRequired: false }),
    ...(display ? { display } : {}),
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
