// The audit query workload: which filter combinations are timed, how their values are picked from the loaded
// data (so every query hits a real partition), and what the right answer is (so a fast wrong answer is caught).
import { REQUEST_STATUSES, type RequestStatus } from '../../functions/requests/model.js';
import type { Random } from '../lib/random.js';
import { PROTON_ACTION, SSO_ACTION, type RequestPlan } from './dataset.js';

export interface Filters {
  requester?: string;
  status?: string;
  action?: string;
  targetId?: string;
  approver?: string;
  from?: string;
  to?: string;
}

type Field = 'requester' | 'status' | 'action' | 'targetId' | 'approver' | 'range';

export interface Combination {
  name: string;
  fields: readonly Field[];
  /** One key condition answers it alone, so nearly everything read should be returned. */
  single: boolean;
}

const combination = (...fields: Field[]): Combination => ({
  name: fields.length === 0 ? '(none)' : fields.map((f) => (f === 'range' ? 'from+to' : f)).join(' + '),
  fields,
  // A time range alone is a key condition on byTime, so it counts as a single filter.
  single: fields.length <= 1,
});

export const COMBINATIONS: readonly Combination[] = [
  combination(),
  combination('requester'),
  combination('status'),
  combination('action'),
  combination('targetId'),
  combination('approver'),
  combination('range'),
  combination('requester', 'status'),
  combination('status', 'action'),
  combination('approver', 'status'),
  combination('targetId', 'status'),
  combination('requester', 'range'),
  combination('status', 'range'),
  combination('approver', 'action'),
  combination('targetId', 'range'),
  combination('requester', 'status', 'range'),
  combination('approver', 'status', 'action'),
  combination('status', 'action', 'range'),
];

// From an hour (an incident) to half a year (an access review).
const RANGE_WIDTHS_MS = [3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000, 182 * 86_400_000];
const ACTIONS = [SSO_ACTION, PROTON_ACTION];

export interface Workload {
  /** The filters of query number `i` of `combination`. */
  filtersFor(combination: Combination, i: number, random: Random): Filters;
  /** The page the API should return: matching requests, newest first, at most `limit`, and how many match in all. */
  expected(filters: Filters, limit: number): { page: RequestPlan[]; total: number };
}

const matches = (plan: RequestPlan, f: Filters): boolean =>
  (f.requester === undefined || plan.requester === f.requester) &&
  (f.status === undefined || plan.status === f.status) &&
  (f.action === undefined || plan.action === f.action) &&
  (f.targetId === undefined || plan.targetId === f.targetId) &&
  (f.approver === undefined || plan.approvers.includes(f.approver)) &&
  (f.from === undefined || plan.createdAt >= f.from) &&
  (f.to === undefined || plan.createdAt <= f.to);

const groupBy = (
  plans: readonly RequestPlan[],
  keys: (plan: RequestPlan) => readonly string[],
): Map<string, RequestPlan[]> => {
  const groups = new Map<string, RequestPlan[]>();
  for (const plan of plans) {
    for (const key of keys(plan)) {
      const group = groups.get(key);
      if (group) group.push(plan);
      else groups.set(key, [plan]);
    }
  }
  return groups;
};

export const createWorkload = (plans: readonly RequestPlan[]): Workload => {
  // ISO-8601 UTC strings of one length sort as time does.
  const newestFirst = [...plans].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const by = {
    requester: groupBy(newestFirst, (p) => [p.requester]),
    status: groupBy(newestFirst, (p) => [p.status]),
    action: groupBy(newestFirst, (p) => [p.action]),
    targetId: groupBy(newestFirst, (p) => [p.targetId]),
    approver: groupBy(newestFirst, (p) => p.approvers),
  };
  const statuses = REQUEST_STATUSES.filter((s: RequestStatus) => by.status.has(s));
  const actions = ACTIONS.filter((a) => by.action.has(a));

  return {
    filtersFor(combination, i, random) {
      const has = (field: Field): boolean => combination.fields.includes(field);
      // Statuses and actions are few, so they are cycled through evenly (a rare status is queried as often as
      // a common one); everything else comes from a random request of the data, so values are real.
      let pool: readonly RequestPlan[] = newestFirst;
      if (has('status')) pool = by.status.get(statuses[i % statuses.length] as string) ?? pool;
      else if (has('action')) pool = by.action.get(actions[i % actions.length] as string) ?? pool;
      const anchor = random.pick(pool);
      const filters: Filters = {};
      if (has('requester')) filters.requester = anchor.requester;
      if (has('status')) filters.status = anchor.status;
      if (has('action')) filters.action = anchor.action;
      if (has('targetId')) filters.targetId = anchor.targetId;
      if (has('approver')) filters.approver = random.pick(anchor.approvers);
      if (has('range')) {
        const width = RANGE_WIDTHS_MS[i % RANGE_WIDTHS_MS.length] as number;
        const from = Date.parse(anchor.createdAt) - Math.floor(random.next() * width);
        filters.from = new Date(from).toISOString();
        filters.to = new Date(from + width).toISOString();
      }
      return filters;
    },
    expected(filters, limit) {
      // Start from the smallest exact-match group (a value absent from the data gives an empty one), then
      // filter the rest in memory; with no exact-match filter at all, every request is a candidate.
      const groups: RequestPlan[][] = [];
      const add = (value: string | undefined, index: Map<string, RequestPlan[]>): void => {
        if (value !== undefined) groups.push(index.get(value) ?? []);
      };
      add(filters.requester, by.requester);
      add(filters.targetId, by.targetId);
      add(filters.approver, by.approver);
      add(filters.status, by.status);
      add(filters.action, by.action);
      const smallest = groups.length > 0 ? groups.reduce((a, b) => (a.length <= b.length ? a : b)) : newestFirst;
      const all = smallest.filter((plan) => matches(plan, filters));
      return { page: all.slice(0, limit), total: all.length };
    },
  };
};

export const queryString = (filters: Filters, limit: number): string => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) params.set(name, value);
  params.set('limit', String(limit));
  return params.toString();
};
