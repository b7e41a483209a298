// Counts the calls the local AWS endpoint receives, per `X-Amz-Target` (`<prefix>.<Operation>`), so tests and
// benchmarks can say how many AWS calls a piece of work cost: snapshot before, snapshot after, take the difference.
// The endpoint owns one counter; nothing here touches the network.

/** Calls per X-Amz-Target, e.g. `{ "AWSIdentityStore.GetUserId": 3 }`. */
export type CallCounts = Readonly<Record<string, number>>;

export interface CallCounter {
  record(target: string): void;
  /** Calls one target received so far. */
  count(target: string): number;
  /** Every target called so far with its count: a copy, so later calls do not change it. */
  snapshot(): CallCounts;
}

export const createCallCounter = (): CallCounter => {
  const calls = new Map<string, number>();
  return {
    record: (target) => {
      calls.set(target, (calls.get(target) ?? 0) + 1);
    },
    count: (target) => calls.get(target) ?? 0,
    snapshot: () => Object.fromEntries(calls),
  };
};

/** The calls made between two snapshots, leaving out targets that were not called in between. */
export const callsBetween = (before: CallCounts, after: CallCounts): Record<string, number> => {
  const made: Record<string, number> = {};
  for (const [target, count] of Object.entries(after)) {
    const delta = count - (before[target] ?? 0);
    if (delta > 0) made[target] = delta;
  }
  return made;
};

/**
 * The X-Amz-Target prefixes of the services the endpoint serves, by the names AWS's own documentation and quotas use.
 * A prefix missing here is reported under the prefix itself rather than dropped.
 */
export const SERVICE_BY_PREFIX: Readonly<Record<string, string>> = {
  DynamoDB_20120810: 'dynamodb',
  AWSStepFunctions: 'states',
  AwsProton20200720: 'proton',
  SWBExternalService: 'sso-admin',
  AWSIdentityStore: 'identitystore',
  AWSOrganizationsV20161128: 'organizations',
};

/** `AWSIdentityStore.ListUsers` → `{ service: 'identitystore', operation: 'ListUsers' }`. */
export const parseTarget = (target: string): { service: string; operation: string } => {
  const dot = target.indexOf('.');
  const prefix = dot < 0 ? target : target.slice(0, dot);
  return { service: SERVICE_BY_PREFIX[prefix] ?? prefix, operation: dot < 0 ? '' : target.slice(dot + 1) };
};

/** Counts keyed `service:Operation` (`identitystore:ListUsers`), the way IAM actions name them. */
export const byOperation = (counts: CallCounts): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [target, count] of Object.entries(counts)) {
    const { service, operation } = parseTarget(target);
    const key = `${service}:${operation}`;
    out[key] = (out[key] ?? 0) + count;
  }
  return out;
};

/** Counts summed per service (`identitystore`, `organizations`, …). */
export const byService = (counts: CallCounts): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [target, count] of Object.entries(counts)) {
    const { service } = parseTarget(target);
    out[service] = (out[service] ?? 0) + count;
  }
  return out;
};

/** The sum of the counts whose service is one of `services`. */
export const totalFor = (counts: CallCounts, services: readonly string[]): number =>
  Object.entries(counts).reduce(
    (sum, [target, count]) => (services.includes(parseTarget(target).service) ? sum + count : sum),
    0,
  );
