// Synthetic audit history: requests shaped exactly as the system stores them (RequestItem plus its byApprover
// entries), with the skew a real organisation has. Generation is two-pass: `planDataset` decides every request's
// indexed fields up front (cheap, kept in memory to pick query values and to check answers), and
// `buildRequestItem` expands one plan into the full stored item only when it is about to be written.
import { createHash } from 'node:crypto';
import { findAction } from '../../functions/actions/registry.js';
import { REQUEST_KIND, requestKey, statusIndexKeys } from '../../functions/requests/keys.js';
import type {
  Approval,
  ApproverItem,
  Decision,
  RequestItem,
  RequestStatus,
  StoredEvent,
} from '../../functions/requests/model.js';
import { approverItems, event } from '../../functions/requests/repository.js';
import { createRandom, createZipf, type Random } from '../lib/random.js';

export const SSO_ACTION = 'sso:CreateAccountAssignment';
export const PROTON_ACTION = 'proton:AcceptEnvironmentAccountConnection';

const DAY_MS = 86_400_000;
const SPAN_MS = 730 * DAY_MS;
const APPROVAL_TIMEOUT_MS = DAY_MS;
const INSTANCE_ID = 'ssoins-1111111111111111';

export interface DatasetShape {
  requests: number;
  people: number;
  approvers: number;
  accounts: number;
  protonConnections: number;
  seed: number;
  /** Epoch ms that "now" is for the data; createdAt values lie in the two years before it. */
  anchor: number;
}

export const defaultShape = (requests: number, anchor: number): DatasetShape => ({
  requests,
  people: 2000,
  approvers: 300,
  accounts: 500,
  protonConnections: 150,
  seed: 20_240_601,
  anchor,
});

/** The indexed (immutable, or filterable) facts of one request. */
export interface RequestPlan {
  requestId: string;
  requester: string;
  action: string;
  targetId: string;
  status: RequestStatus;
  approvers: string[];
  minApprovals: number;
  createdAt: string;
  /** Seeds the details (parameters, events), so an item can be rebuilt from its plan alone. */
  detailSeed: number;
}

interface Target {
  action: string;
  targetId: string;
  approvers: string[];
  /** Proton only: what describeTarget would have found, shown in the summary. */
  facts: Record<string, string>;
}

// Mostly finished requests; a thin, recent tail is still in flight. Time-bound statuses exist only for SSO,
// the only revocable action.
const SSO_STATUSES: ReadonlyArray<readonly [RequestStatus, number]> = [
  ['COMPLETED', 48],
  ['REVOKED', 16],
  ['EXPIRED', 14],
  ['DENIED', 10],
  ['FAILED', 3],
  ['ACTIVE', 3],
  ['PENDING_APPROVAL', 3],
  ['APPROVED', 2],
  ['REVOKE_FAILED', 1],
];
const PROTON_STATUSES: ReadonlyArray<readonly [RequestStatus, number]> = [
  ['COMPLETED', 66],
  ['EXPIRED', 14],
  ['DENIED', 12],
  ['FAILED', 4],
  ['PENDING_APPROVAL', 3],
  ['APPROVED', 1],
];

const PERMISSION_SETS = [
  'ReadOnly',
  'ViewOnly',
  'PowerUser',
  'Administrator',
  'Billing',
  'SecurityAudit',
  'DatabaseAdmin',
  'NetworkAdmin',
  'SupportUser',
  'DataScientist',
  'Deployer',
  'BreakGlass',
];

const JUSTIFICATIONS = [
  'on-call for INC-',
  'debugging a failed deploy, ticket OPS-',
  'quarterly access review follow-up REV-',
  'customer escalation CASE-',
  'migrating the data pipeline, PROJ-',
  'new environment for team onboarding ONB-',
  'cost investigation FIN-',
];

const personId = (index: number): string => `person${String(index + 1).padStart(4, '0')}@example.com`;

const uniqueStrings = (count: number, make: () => string): string[] => {
  const seen = new Set<string>();
  while (seen.size < count) seen.add(make());
  return [...seen];
};

/** Ages skewed towards the present (an organisation that grows), within the two-year span. */
const ageMs = (random: Random, status: RequestStatus): number => {
  switch (status) {
    // Still inside the approval window, so expiresAt is in the future as it would be.
    case 'PENDING_APPROVAL':
      return random.next() * APPROVAL_TIMEOUT_MS * 0.95;
    // Approved moments ago; provisioning is in flight.
    case 'APPROVED':
      return random.next() * 3_600_000;
    // A time-bound grant that has not ended yet.
    case 'ACTIVE':
      return random.next() * 8 * 3_600_000;
    // Finished: at least a day old, so even an expiry or a revocation lies in the past.
    default:
      return DAY_MS + (SPAN_MS - DAY_MS) * (1 - Math.sqrt(random.next()));
  }
};

export interface Dataset {
  shape: DatasetShape;
  plans: RequestPlan[];
  /** Table items that loading writes: each request plus its byApprover entries. */
  itemCount: number;
  /** Distinct values present in the data, for reporting. */
  distinct: { requesters: number; approvers: number; targets: number };
  /** Every table item one request contributes, request first: the stored request and its byApprover entries. */
  itemsOf(plan: RequestPlan): Array<RequestItem | ApproverItem>;
}

export const planDataset = (shape: DatasetShape): Dataset => {
  const random = createRandom(shape.seed);
  const people = Array.from({ length: shape.people }, (_, i) => personId(i));
  // Approvers are people too (they also ask for access), picked without repeats.
  const approverPool = uniqueStrings(shape.approvers, () => random.pick(people));
  const approverCount = (): number =>
    random.weighted([
      [1, 55],
      [2, 30],
      [3, 15],
    ] as const);
  const teamOf = (): string[] => uniqueStrings(approverCount(), () => random.pick(approverPool));

  const accounts = uniqueStrings(shape.accounts, () => String(100_000_000_000 + random.int(900_000_000_000)));
  const ssoTargets: Target[] = accounts.map((account) => ({
    action: SSO_ACTION,
    targetId: account,
    approvers: teamOf(),
    facts: {},
  }));
  const protonTargets: Target[] = uniqueStrings(shape.protonConnections, () => random.uuid()).map((id, i) => ({
    action: PROTON_ACTION,
    targetId: id,
    approvers: teamOf(),
    facts: {
      environmentAccountId: random.pick(accounts),
      environmentName: `env-${['dev', 'staging', 'prod', 'sandbox'][i % 4]}-${i}`,
    },
  }));

  // A few heavy requesters (automation, on-call rotations) and a long tail; hot accounts likewise.
  const requesterRank = createZipf(random, shape.people, 0.9);
  const accountRank = createZipf(random, ssoTargets.length, 0.8);
  const connectionRank = createZipf(random, protonTargets.length, 0.6);
  // Zipf ranks are shuffled onto people, so the heaviest requester is not simply person0001.
  const requesterOrder = [...people];
  for (let i = requesterOrder.length - 1; i > 0; i -= 1) {
    const j = random.int(i + 1);
    [requesterOrder[i], requesterOrder[j]] = [requesterOrder[j] as string, requesterOrder[i] as string];
  }

  const plans: RequestPlan[] = [];
  let itemCount = 0;
  for (let i = 0; i < shape.requests; i += 1) {
    const sso = random.next() < 0.85;
    const target = sso ? (ssoTargets[accountRank()] as Target) : (protonTargets[connectionRank()] as Target);
    const requester = requesterOrder[requesterRank()] as string;
    // Policy never makes requesters approve their own request; their team's next approver stands in.
    let approvers = target.approvers.filter((a) => a !== requester);
    if (approvers.length === 0) approvers = [approverPool.find((a) => a !== requester) as string];
    const minApprovals = approvers.length > 1 && random.next() < 0.3 ? 2 : 1;
    const status = random.weighted(sso ? SSO_STATUSES : PROTON_STATUSES);
    const createdAt = new Date(Math.floor(shape.anchor - ageMs(random, status))).toISOString();
    plans.push({
      requestId: random.uuid(),
      requester,
      action: target.action,
      targetId: target.targetId,
      status,
      approvers,
      minApprovals,
      createdAt,
      detailSeed: random.int(2 ** 31),
    });
    itemCount += 1 + approvers.length;
  }
  // Proton facts are looked up per connection at submit time; kept so summaries read as the system writes them.
  const protonFacts = new Map(protonTargets.map((t) => [t.targetId, t.facts]));
  return {
    shape,
    plans,
    itemCount,
    distinct: {
      requesters: new Set(plans.map((p) => p.requester)).size,
      approvers: new Set(plans.flatMap((p) => p.approvers)).size,
      targets: new Set(plans.map((p) => p.targetId)).size,
    },
    itemsOf: (plan) => {
      const item = buildRequestItem(plan, protonFacts.get(plan.targetId) ?? {}, shape.anchor);
      return [item, ...approverItems(item)];
    },
  };
};

/** Hex that is always the same for the same text: ids of things that exist once, like a permission set. */
const stableHex = (text: string, length: number): string =>
  createHash('md5').update(text).digest('hex').slice(0, length);

/** A UUID-shaped id that is always the same for the same text (a person's Identity Center user id). */
const stableUuid = (text: string): string => {
  const h = stableHex(text, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

const ssoParameters = (random: Random, plan: RequestPlan): Record<string, string> => {
  const group = random.next() < 0.1;
  return {
    InstanceArn: `arn:aws:sso:::instance/${INSTANCE_ID}`,
    PermissionSetArn: `arn:aws:sso:::permissionSet/${INSTANCE_ID}/ps-${stableHex(random.pick(PERMISSION_SETS), 16)}`,
    // A user asks for themself (a stable id per person); a group id is whichever team they asked for.
    PrincipalId: group ? random.uuid() : stableUuid(plan.requester),
    PrincipalType: group ? 'GROUP' : 'USER',
    TargetId: plan.targetId,
    TargetType: 'AWS_ACCOUNT',
  };
};

/** Builds one stored request exactly as submit, the workflow, decisions and provisioning would have left it. */
const buildRequestItem = (plan: RequestPlan, facts: Record<string, string>, anchor: number): RequestItem => {
  const random = createRandom(plan.detailSeed);
  const action = findAction(plan.action);
  if (!action) throw new Error(`unknown action ${plan.action}`);
  const raw = plan.action === SSO_ACTION ? ssoParameters(random, plan) : { id: plan.targetId };
  // Validated with the action's own schema, so the load can never hold a request the API would have refused.
  const validated = action.validateParameters(raw, 'parameters');
  if (!validated.ok)
    throw new Error(`generated invalid parameters for ${plan.action}: ${JSON.stringify(validated.details)}`);
  const parameters = validated.value;

  const created = Date.parse(plan.createdAt);
  let clock = created;
  // In-flight requests are recent: their history stops at the data's "now" rather than running into the future.
  const at = (minMs: number, maxMs: number): string => {
    clock = Math.min(anchor, clock + minMs + Math.floor(random.next() * (maxMs - minMs)));
    return new Date(clock).toISOString();
  };
  const events: StoredEvent[] = [
    event(plan.createdAt, 'submitted', {
      requester: plan.requester,
      approvers: plan.approvers,
      minApprovals: plan.minApprovals,
    }),
    event(at(300, 3000), 'notified', { approvers: plan.approvers }),
  ];
  const approvals: Approval[] = [];
  const decisions: Record<string, Decision> = {};
  const decide = (approver: string, decision: Decision): void => {
    const approval: Approval = {
      approver,
      decision,
      at: at(30_000, 4 * 3_600_000),
      via: random.next() < 0.7 ? 'slack' : 'link',
    };
    if (random.next() < 0.2)
      approval.comment = decision === 'approve' ? 'ok, time-boxed' : 'use the read-only set instead';
    approvals.push(approval);
    decisions[approver] = decision;
    events.push(
      event(approval.at, 'decision', {
        approver,
        decision,
        via: approval.via,
        ...(approval.comment ? { comment: approval.comment } : {}),
      }),
    );
  };
  const approveAll = (): void => {
    for (const a of plan.approvers.slice(0, plan.minApprovals)) decide(a, 'approve');
  };

  let outcome: Record<string, unknown> | undefined;
  let error: RequestItem['error'];
  const provision = (succeed: boolean): void => {
    const operation = plan.action === SSO_ACTION ? 'CreateAccountAssignment' : 'AcceptEnvironmentAccountConnection';
    // A throttled first try now and then, as Identity Center's 20 TPS makes happen under load.
    if (random.next() < 0.08)
      events.push(
        event(at(100, 2000), 'provisioning_error', {
          operation,
          error: 'ThrottlingException',
          message: 'Rate exceeded',
        }),
      );
    if (!succeed) {
      const name = random.pick(['AccessDeniedException', 'ValidationException', 'ResourceNotFoundException']);
      const cause = JSON.stringify({ errorType: name, errorMessage: `${operation} failed: ${name}` });
      events.push(
        event(at(100, 2000), 'provisioning_error', { operation, error: name, message: `${operation} failed: ${name}` }),
      );
      // The state machine records the bare error name as this event's detail (not JSON).
      events.push({ at: at(50, 500), type: 'failed', detail: name });
      error = { name, cause };
      return;
    }
    if (plan.action === SSO_ACTION) {
      const creationRequestId = random.uuid();
      events.push(
        event(at(100, 2000), 'provisioning_attempt', { operation, creationRequestId, status: 'IN_PROGRESS' }),
      );
      events.push(event(at(1000, 5000), 'status_poll', { poll: 1, status: 'SUCCEEDED' }));
      outcome = { creationRequestId, polls: 1, Status: 'SUCCEEDED' };
    } else {
      events.push(event(at(100, 2000), 'provisioning_attempt', { operation, status: 'CONNECTED' }));
      outcome = { id: plan.targetId, status: 'CONNECTED' };
    }
    events.push(event(at(50, 500), 'completed', outcome));
  };

  switch (plan.status) {
    case 'PENDING_APPROVAL':
      // Half-way through a quorum, sometimes.
      if (plan.minApprovals > 1 && random.next() < 0.5) decide(plan.approvers[0] as string, 'approve');
      break;
    case 'APPROVED':
      approveAll();
      break;
    case 'DENIED':
      if (plan.minApprovals > 1 && random.next() < 0.5) decide(plan.approvers[0] as string, 'approve');
      decide(plan.approvers[plan.minApprovals > 1 ? 1 : 0] as string, 'deny');
      break;
    case 'EXPIRED':
      clock = created + APPROVAL_TIMEOUT_MS;
      events.push({ at: new Date(clock).toISOString(), type: 'expired', detail: 'States.Timeout' });
      break;
    case 'FAILED':
      approveAll();
      provision(false);
      break;
    case 'COMPLETED':
    case 'ACTIVE':
      approveAll();
      provision(true);
      break;
    case 'REVOKED':
    case 'REVOKE_FAILED': {
      approveAll();
      provision(true);
      const revokeAt = new Date(clock + (15 + random.int(8 * 60)) * 60_000).toISOString();
      clock = Date.parse(revokeAt);
      if (plan.status === 'REVOKED')
        events.push(event(revokeAt, 'revoked', { operation: 'DeleteAccountAssignment', status: 'SUCCEEDED' }));
      else {
        const cause = 'DeleteAccountAssignment failed: ConflictException';
        events.push(event(revokeAt, 'revoke_failed', { Error: 'ConflictException', Cause: cause }));
        error = { name: 'ConflictException', cause };
      }
      break;
    }
  }
  // The outcome message to the requester is the last thing the workflow does for a settled request.
  if (['COMPLETED', 'DENIED', 'EXPIRED', 'FAILED'].includes(plan.status))
    events.push(event(at(200, 2000), 'requester_notified', { status: plan.status }));
  const last = events[events.length - 1] as StoredEvent;

  const item: RequestItem = {
    ...requestKey(plan.requestId),
    kind: REQUEST_KIND,
    requestId: plan.requestId,
    action: plan.action,
    parameters: JSON.stringify(parameters),
    requester: plan.requester,
    justification: `${random.pick(JUSTIFICATIONS)}${1000 + random.int(9000)}`,
    summary: action.definition.summarize(parameters, facts),
    targetId: action.definition.targetId(parameters),
    status: plan.status,
    ...statusIndexKeys(
      { requester: plan.requester, targetId: action.definition.targetId(parameters), action: action.definition.name },
      plan.status,
    ),
    createdAt: plan.createdAt,
    updatedAt: last.at,
    expiresAt: new Date(created + APPROVAL_TIMEOUT_MS).toISOString(),
    approvers: plan.approvers,
    minApprovals: plan.minApprovals,
    approvalCount: approvals.filter((a) => a.decision === 'approve').length,
    decisions,
    approvals,
    events,
    ...(outcome ? { outcome: JSON.stringify(outcome) } : {}),
    ...(error ? { error } : {}),
  };
  if (item.targetId !== plan.targetId) throw new Error(`target mismatch for ${plan.requestId}`);
  return item;
};
