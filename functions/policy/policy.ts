// The approval policy: who may approve which requests, how many must agree, and for how long approvers
// may take. It is validated whole at load, so a bad file stops start-up instead of misrouting approvals.
import { readFileSync } from 'node:fs';
import { findAction } from '../actions/registry.js';
import { ConfigError, NoApprovalRuleError } from '../shared/errors.js';
import { toValidator } from '../shared/validation.js';
import { validatePolicy } from './policyValidator.generated.js';

export interface Person {
  id: string;
  slackUserId?: string;
}

/** For whom a rule grants (DESIGN.md, "Policy, second stage"); absent means `any`, as before the field existed. */
export type PrincipalScope = 'self' | 'self-or-groups' | 'any';

export interface PolicyRule {
  action: string;
  /** Who may use the rule: people ids and `group:<DisplayName>` entries; absent means any signed-in person. */
  requesters?: string[];
  match?: Record<string, string[]>;
  principals?: PrincipalScope;
  /** People ids and `group:<DisplayName>` entries, expanded at submit. parsePolicy gives [] when it is left out. */
  approvers: string[];
  /** `false`: an eligible request is approved at once by `system`. Absent means true. */
  approvalRequired?: boolean;
  minApprovals?: number;
  approvalTimeoutSeconds?: number;
  reminderAfterSeconds?: number;
  /** The longest time-bound grant this rule allows, in minutes (default 480). */
  maxDurationMinutes?: number;
  /**
   * A Slack channel id (C… or G…): the approval message is posted there once, instead of a DM to each approver, and
   * updated in place with every decision and the outcome. Only listed approvers' clicks count.
   */
  slackChannel?: string;
}

/** How a caller's JWT is matched to their Identity Center user. */
export interface IdentityMapping {
  /** The JWT claim holding the value (default `email`). */
  claim?: string;
  /** The Identity Store attribute it is matched against (default `emails.value`). */
  userAttribute?: 'emails.value' | 'userName';
}

/** One entry of `reconcile.watch`: accounts whose assignments the reconciler checks against our grants. */
export interface ReconcileWatch {
  /** 12-digit AWS account ids. */
  accounts: string[];
  /** Remove an assignment no grant of ours explains, instead of only reporting it. Absent: false. */
  removeUnmanaged?: boolean;
}

/** What the reconciler watches beyond our own grants. Absent: no account is watched. */
export interface ReconcileSettings {
  watch?: ReconcileWatch[];
}

export interface Policy {
  identity?: IdentityMapping;
  reconcile?: ReconcileSettings;
  approvalTimeoutSeconds?: number;
  /** When undecided approvers are reminded, in seconds after the request; by default half the window. */
  reminderAfterSeconds?: number;
  maxDurationMinutes?: number;
  people?: Person[];
  auditors?: string[];
  rules: PolicyRule[];
}

export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 86_400;
export const DEFAULT_MAX_DURATION_MINUTES = 480;

/** A Standard Step Functions execution lasts at most one year (Step Functions service quotas), and one holds every request. */
export const STANDARD_EXECUTION_MAX_SECONDS = 365 * 86_400;

/**
 * The longest wait between approval and the grant's start. There is no scheduled start yet, so it is 0; issue 13's
 * `startAt` (at most 14 days ahead) makes it 14 * 86_400, and the check below then counts it with no other change.
 */
export const MAX_SCHEDULED_START_SECONDS = 0;

/**
 * What an execution can spend besides the approval window, the scheduled start and the grant, so the execution is
 * never cut off before RevokeGrant and the final record: provisioning with its retries and verification (under an
 * hour), revocation retried for up to 24 h (DESIGN.md, grant lifecycle), the final status copy onto the approver
 * entries retried for up to about 24 h (NotifyOutcome), and a day spare for retry budgets that grow (issue 13).
 */
export const EXECUTION_MARGIN_SECONDS = 3 * 86_400;

/** The longest approval window plus grant a rule may allow. */
export const MAX_WINDOW_PLUS_GRANT_SECONDS =
  STANDARD_EXECUTION_MAX_SECONDS - EXECUTION_MARGIN_SECONDS - MAX_SCHEDULED_START_SECONDS;
const validatePolicyShape = toValidator<Policy>(validatePolicy);

export const ruleLabel = (rule: PolicyRule, index: number): string => `rules[${index}] (${rule.action})`;

/** The prefix of a requester or approver entry that names an Identity Center group by its DisplayName. */
export const GROUP_PREFIX = 'group:';
export const groupName = (entry: string): string | undefined =>
  entry.startsWith(GROUP_PREFIX) ? entry.slice(GROUP_PREFIX.length) : undefined;

/** How widely a rule grants: each scope allows every principal the one before it does. */
const PRINCIPAL_SCOPES: readonly PrincipalScope[] = ['self', 'self-or-groups', 'any'];
export const principalScope = (rule: PolicyRule): PrincipalScope => rule.principals ?? 'any';

/** Whether `earlier` lets in every requester `later` lets in (absent = anyone; entries compared as written). */
export const requestersCover = (earlier: PolicyRule, later: PolicyRule): boolean =>
  earlier.requesters === undefined ||
  (later.requesters?.every((entry) => earlier.requesters?.includes(entry)) ?? false);

/** Whether `earlier` allows every principal `later` allows. */
export const principalsCover = (earlier: PolicyRule, later: PolicyRule): boolean =>
  PRINCIPAL_SCOPES.indexOf(principalScope(earlier)) >= PRINCIPAL_SCOPES.indexOf(principalScope(later));

/** Whether every value `later` allows for each key `earlier` constrains is allowed by `earlier` too. */
export const matchCovers = (earlier: Record<string, string[]>, later: Record<string, string[]>): boolean =>
  Object.entries(earlier).every(([key, values]) => later[key]?.every((v) => values.includes(v)) ?? false);

// A later rule can never route if an earlier rule for the same action routes everything it would: the earlier rule
// matches everything it matches (every key the earlier rule constrains is constrained by the later one to a subset of
// its values), lets in every requester it lets in, and allows every principal it allows. Rules are skipped when they
// exclude the requester or the principal, so a narrower earlier rule in either respect shadows nothing. Keys are
// compared as written here; OrganizationalUnit and PermissionSetName are compared once expanded, against the
// directory (directoryCheck.ts).
const shadows = (earlier: PolicyRule, later: PolicyRule): boolean =>
  earlier.action === later.action &&
  requestersCover(earlier, later) &&
  principalsCover(earlier, later) &&
  matchCovers(earlier.match ?? {}, later.match ?? {});

// Patterns from the Organizations and SSO Admin API models, so a typo is refused at load rather than never matching.
const ROOT_OR_OU_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;
const ACTIONS_WITH_PRINCIPALS = new Set(['sso:CreateAccountAssignment']);

/** What a rule's new (second-stage) fields get wrong on their own, without the directory. */
const entryProblems = (rule: PolicyRule, label: string): string[] => {
  const problems: string[] = [];
  for (const [field, entries] of [
    ['requesters', rule.requesters],
    ['approvers', rule.approvers],
  ] as const) {
    for (const entry of entries ?? []) {
      if (groupName(entry)?.trim() === '') problems.push(`${label}: ${field} entry "${entry}" names no group`);
    }
  }
  for (const value of rule.match?.OrganizationalUnit ?? []) {
    if (!ROOT_OR_OU_ID.test(value)) {
      problems.push(`${label}: OrganizationalUnit ${value} is not a root id (r-…) or an OU id (ou-…-…)`);
    }
  }
  for (const value of rule.match?.PermissionSetName ?? []) {
    if (!PERMISSION_SET_NAME.test(value)) {
      problems.push(`${label}: PermissionSetName ${value} is not a permission-set name (1-32 of [\\w+=,.@-])`);
    }
  }
  if (rule.principals !== undefined && rule.principals !== 'any' && !ACTIONS_WITH_PRINCIPALS.has(rule.action)) {
    problems.push(`${label}: principals "${rule.principals}" applies only to sso:CreateAccountAssignment`);
  }
  // A USER of one's own is the only principal `self` allows, so a rule that also demands a GROUP matches nothing.
  const types = rule.match?.PrincipalType;
  if (rule.principals === 'self' && types && !types.includes('USER')) {
    problems.push(
      `${label}: can never match, principals "self" allows only the requester's own USER but match.PrincipalType is ${types.join(', ')}`,
    );
  }
  if (rule.approvalRequired !== false && (rule.approvers?.length ?? 0) === 0) {
    problems.push(`${label}: approvers is required unless approvalRequired is false`);
  }
  // Nobody is asked under such a rule, so a channel there would never be posted to: almost certainly a mistake.
  if (rule.approvalRequired === false && rule.slackChannel !== undefined) {
    problems.push(
      `${label}: slackChannel ${rule.slackChannel} is never used, approvalRequired is false (nobody is asked)`,
    );
  }
  return problems;
};

/** Checks a parsed policy document and returns it typed, or throws a ConfigError naming the problem. */
export const parsePolicy = (document: unknown, source = 'policy'): Policy => {
  const shape = validatePolicyShape(document, '');
  if (!shape.ok) {
    throw new ConfigError(`Invalid ${source}: ${shape.details.map((d) => `${d.path} ${d.message}`).join('; ')}`);
  }
  // approvers may be left out when approvalRequired is false; the parsed policy always has the list, and the caller's
  // document is left as it was.
  const policy: Policy = {
    ...shape.value,
    rules: shape.value.rules.map((rule) => ({ ...rule, approvers: rule.approvers ?? [] })),
  };
  const problems: string[] = [];
  // A Slack click is attributed through this list, so one Slack user must mean exactly one person.
  const seen = new Map<string, string>();
  for (const person of policy.people ?? []) {
    if (!person.slackUserId) continue;
    const other = seen.get(person.slackUserId);
    if (other) problems.push(`people: ${person.id} and ${other} share slackUserId ${person.slackUserId}`);
    seen.set(person.slackUserId, person.id);
  }
  // One account, one answer to "may unmanaged assignments be removed here?".
  const watchedIn = new Map<string, number>();
  (policy.reconcile?.watch ?? []).forEach((entry, index) => {
    for (const account of entry.accounts) {
      const earlier = watchedIn.get(account);
      if (earlier !== undefined)
        problems.push(
          `reconcile.watch[${index}].accounts: ${account} is already watched by reconcile.watch[${earlier}]`,
        );
      else watchedIn.set(account, index);
    }
  });
  policy.rules.forEach((rule, index) => {
    const label = ruleLabel(rule, index);
    const action = findAction(rule.action);
    if (!action) {
      problems.push(`${label}: unknown action`);
      return;
    }
    for (const key of Object.keys(rule.match ?? {})) {
      if (!action.definition.policyKeys.includes(key)) {
        problems.push(`${label}: match key ${key} is not one of ${action.definition.policyKeys.join(', ')}`);
      }
    }
    problems.push(...entryProblems(rule, label));
    // A group entry counts once here; the directory check counts its members (directoryCheck.ts).
    const hasGroupApprovers = rule.approvers.some((entry) => groupName(entry) !== undefined);
    if (rule.approvalRequired !== false && !hasGroupApprovers && (rule.minApprovals ?? 1) > rule.approvers.length) {
      problems.push(`${label}: minApprovals ${rule.minApprovals} exceeds its ${rule.approvers.length} approvers`);
    }
    const { approvalTimeoutSeconds, reminderAfterSeconds } = ruleTiming(policy, rule);
    if (reminderAfterSeconds >= approvalTimeoutSeconds) {
      problems.push(
        `${label}: reminderAfterSeconds ${reminderAfterSeconds} must be less than its approval window of ${approvalTimeoutSeconds} seconds`,
      );
    }
    // The grant's end and its revocation happen inside the one execution, so a rule whose window and longest grant
    // do not fit would have the execution cut off before RevokeGrant, leaving the access in place.
    const maxDurationMinutes = ruleMaxDurationMinutes(policy, rule);
    const lifetimeSeconds = approvalTimeoutSeconds + maxDurationMinutes * 60;
    if (lifetimeSeconds > MAX_WINDOW_PLUS_GRANT_SECONDS) {
      problems.push(
        `${label}: approval window ${approvalTimeoutSeconds} s plus maxDurationMinutes ${maxDurationMinutes} (${maxDurationMinutes * 60} s) is ${lifetimeSeconds} s, more than the ${MAX_WINDOW_PLUS_GRANT_SECONDS} s a Standard execution (1 year) leaves after ${EXECUTION_MARGIN_SECONDS} s for provisioning and revocation retries${MAX_SCHEDULED_START_SECONDS ? ` and ${MAX_SCHEDULED_START_SECONDS} s of scheduled start` : ''}; lower approvalTimeoutSeconds or maxDurationMinutes on this rule (or on the policy, where it inherits them) by at least ${lifetimeSeconds - MAX_WINDOW_PLUS_GRANT_SECONDS} s`,
      );
    }
    const shadowedBy = policy.rules.slice(0, index).findIndex((earlier) => shadows(earlier, rule));
    const shadowing = policy.rules[shadowedBy];
    if (shadowing) {
      problems.push(
        `${label}: unreachable, every request it matches is already matched by ${ruleLabel(shadowing, shadowedBy)}`,
      );
    }
  });
  if (problems.length > 0) throw new ConfigError(`Invalid ${source}: ${problems.join('; ')}`);
  return policy;
};

export const loadPolicyFile = (file: string): Policy => {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read policy file ${file}: ${(error as Error).message}`);
  }
  return parsePolicy(document, `policy file ${file}`);
};

export interface ApprovalTiming {
  approvalTimeoutSeconds: number;
  reminderAfterSeconds: number;
}

export interface ApprovalRoute extends ApprovalTiming {
  ruleIndex: number;
  approvers: string[];
  minApprovals: number;
  maxDurationMinutes: number;
  /** The rule's Slack channel for its approval message; absent: a DM (or link) to each approver. */
  slackChannel?: string;
}

/** The longest time-bound grant the rule allows: its own limit, else the policy's, else 480 minutes. */
export const ruleMaxDurationMinutes = (policy: Policy, rule: PolicyRule): number =>
  rule.maxDurationMinutes ?? policy.maxDurationMinutes ?? DEFAULT_MAX_DURATION_MINUTES;

/** The rule's window and reminder point, falling back to the policy's, then to 24 h and half the window. */
export const ruleTiming = (policy: Policy, rule: PolicyRule): ApprovalTiming => {
  const approvalTimeoutSeconds =
    rule.approvalTimeoutSeconds ?? policy.approvalTimeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS;
  const reminderAfterSeconds =
    rule.reminderAfterSeconds ?? policy.reminderAfterSeconds ?? Math.floor(approvalTimeoutSeconds / 2);
  return { approvalTimeoutSeconds, reminderAfterSeconds };
};

/**
 * Finds who must approve. The first rule whose action matches and whose `match` lists contain the
 * request's values decides; the requester is never among their own approvers. This is the routing of the first
 * stage, by literal values only: submit routes with eligibility.ts (`routeRequest`), which also reads `requesters`,
 * `principals`, group approvers and the OU and permission-set-name keys through the directory.
 */
export const routeApproval = (
  policy: Policy,
  request: { action: string; parameters: Record<string, string>; requester: string },
): ApprovalRoute => {
  const ruleIndex = policy.rules.findIndex(
    (rule) =>
      rule.action === request.action &&
      Object.entries(rule.match ?? {}).every(([key, values]) => {
        const value = request.parameters[key];
        return value !== undefined && values.includes(value);
      }),
  );
  const rule = policy.rules[ruleIndex];
  if (!rule) throw new NoApprovalRuleError(`No approval rule covers this ${request.action} request`);
  const minApprovals = rule.minApprovals ?? 1;
  const approvers = rule.approvers.filter((a) => a !== request.requester);
  if (approvers.length < minApprovals) {
    throw new NoApprovalRuleError(
      `${ruleLabel(rule, ruleIndex)} needs ${minApprovals} approval(s) but only ${approvers.length} approver(s) other than the requester exist`,
    );
  }
  return {
    ruleIndex,
    approvers,
    minApprovals,
    maxDurationMinutes: ruleMaxDurationMinutes(policy, rule),
    ...ruleTiming(policy, rule),
    ...(rule.slackChannel !== undefined ? { slackChannel: rule.slackChannel } : {}),
  };
};

export const isAuditor = (policy: Policy, identity: string): boolean => (policy.auditors ?? []).includes(identity);
