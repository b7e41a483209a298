// The reconcile scenario's second figure: one reconciler run over an organisation of 600 accounts and 60
// permission sets, every account watched, with nothing to do. Not nothing there: a set of ACTIVE grants made through
// the workflow, so Identity Center lists assignments that the ledger explains. Timed in AWS seconds, with the calls
// it made by operation and Identity Center calls per AWS second (the budget is 20).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReconcileSummary } from '../../functions/reconciliation/reconciler.js';
import { defaultCatalogShape, generateCatalogFixture } from '../catalog/fixture.js';
import { pool, postJson, tokenFor, watchApprovalLinks } from '../bulk/driver.js';
import { countStatus } from '../bulk/inspect.js';
import { startBulkStack } from '../bulk/stackClient.js';
import { callsPerAwsSecond } from '../bulk/wave.js';
import { APPROVER, AUDITOR, REQUESTER, principalIds } from '../bulk/workload.js';
import { localDocumentClient } from '../lib/dynamo.js';
import { startProgress } from '../lib/progress.js';
import { sleep } from '../lib/timing.js';

export interface SweepOptions {
  accounts: number;
  permissionSets: number;
  /** ACTIVE grants the ledger explains, spread over the accounts and permission sets. */
  grants: number;
  timeScale: number;
  keepData: boolean;
}

export interface SweepResult {
  accounts: number;
  permissionSets: number;
  grants: number;
  /** The run, AWS seconds (wall ÷ time scale). */
  awsSeconds: number;
  wallMs: number;
  /** Calls the run made, per X-Amz-Target (every service). */
  calls: Record<string, number>;
  /** Identity Center (SSO Admin) calls only, per operation, and their total. */
  ssoCalls: Record<string, number>;
  ssoTotal: number;
  /** SSO Admin calls per AWS second over the run: peak and mean of the sampled seconds. */
  ssoPerSecond: { peak: number; mean: number; series: number[] };
  /** The reconciler's own summary of the run, as reconcileNow() returned it. */
  summary: ReconcileSummary;
  /** Grants still ACTIVE after the run (a run with nothing to do leaves them all). */
  stillActive: number;
  /** The summary's `complete` (every step ran to its end) and, when not, why. */
  complete: boolean;
  incomplete: string;
}

const SSO_PREFIX = 'SWBExternalService';

/**
 * The policy: one Identity Center rule over every account (long grants), and the reconciler watching every account.
 * `reconcile.watch` is the reconciler's policy field (functions/policy/policy.ts): accounts whose unmanaged assignments it
 * reports (and removes only with removeUnmanaged).
 */
export const sweepPolicy = (accountIds: readonly string[]) => ({
  approvalTimeoutSeconds: 86_400,
  people: [{ id: REQUESTER }, { id: APPROVER }, { id: AUDITOR }],
  auditors: [AUDITOR],
  rules: [
    {
      action: 'sso:CreateAccountAssignment',
      approvers: [APPROVER],
      minApprovals: 1,
      maxDurationMinutes: 1440,
    },
  ],
  reconcile: { watch: [{ accounts: [...accountIds] }] },
});

/** The organisation (600 accounts in OUs, 60 named permission sets) from the catalog benchmark's generator. */
export const sweepWorld = (options: Pick<SweepOptions, 'accounts' | 'permissionSets' | 'grants'>) => {
  const generated = generateCatalogFixture({
    ...defaultCatalogShape(),
    accounts: options.accounts,
    permissionSets: options.permissionSets,
    // The directory is not what this measures: a small one keeps the stack's start quick.
    users: 50,
    groups: 20,
  });
  const { sso, organizations } = generated.fixtures;
  const accountIds = organizations.accounts.map((a) => a.id);
  const principals = principalIds(options.grants);
  // Each grant its own account and permission set, spread over both lists.
  const grants = principals.map((principalId, i) => ({
    principalId,
    accountId: accountIds[(i * 7) % accountIds.length] as string,
    permissionSetArn: sso.permissionSets[(i * 11) % sso.permissionSets.length]?.arn as string,
  }));
  const fixtures = {
    sso: { ...sso, principals: principals.map((id) => ({ id, type: 'USER' })), provisioningSeconds: 1 },
    organizations,
  };
  return { instanceArn: sso.instanceArn, accountIds, grants, fixtures, policy: sweepPolicy(accountIds) };
};

export const runSweep = async (options: SweepOptions, label = '[sweep]'): Promise<SweepResult> => {
  const { timeScale } = options;
  const world = sweepWorld(options);
  const dataDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-reconcile-sweep-'));
  const policyFile = join(dataDir, 'policy.reconcile.json');
  writeFileSync(policyFile, `${JSON.stringify(world.policy, null, 2)}\n`);
  const stack = await startBulkStack({
    dataDir,
    timeScale,
    fixtures: JSON.stringify(world.fixtures),
    faults: '',
    policyFile,
    tuning: { jitter: 'FULL' },
    nice: 0,
    // No timer: the measured run must be the only one (reconcileNow waits for a run under way, which would count).
    reconcileIntervalSeconds: 0,
  }).catch((error: unknown) => {
    // A stack that never started has nothing to close, but its data directory is still ours to remove.
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const db = localDocumentClient(stack.awsUrl);
  try {
    // Prepare: the grants the ledger explains, made and approved through the workflow.
    const token = await tokenFor(stack.httpUrl, REQUESTER);
    const links = watchApprovalLinks(dataDir);
    let ids: string[];
    try {
      ids = await pool(world.grants, 8, async (grant) => {
        const { status, body } = await postJson(
          `${stack.httpUrl}/requests`,
          {
            action: 'sso:CreateAccountAssignment',
            parameters: {
              InstanceArn: world.instanceArn,
              PermissionSetArn: grant.permissionSetArn,
              PrincipalId: grant.principalId,
              PrincipalType: 'USER',
              TargetId: grant.accountId,
              TargetType: 'AWS_ACCOUNT',
            },
            justification: 'reconcile benchmark',
            durationMinutes: 1440,
          },
          token,
        );
        if (status !== 202) throw new Error(`POST /requests: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
        const { requestId } = body as { requestId: string };
        await links.waitFor(requestId, 60_000);
        return requestId;
      });
    } finally {
      links.stop();
    }
    await pool(ids, 8, async (id) => {
      const response = await fetch(`${stack.httpUrl}${links.get(id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'decision=approve',
      });
      if (response.status !== 200) throw new Error(`approving ${id}: HTTP ${response.status}`);
    });
    const progress = startProgress({ label: `${label} grants ACTIVE`, total: ids.length, unit: 'grants' });
    const deadline = Date.now() + 120_000 + 600_000 * timeScale;
    for (;;) {
      const active = await countStatus(db, stack.tableName, 'ACTIVE');
      progress.update(active);
      if (active >= ids.length) break;
      if (Date.now() > deadline) throw new Error(`only ${active} of ${ids.length} grants ACTIVE`);
      await sleep(500);
    }
    progress.finish();

    // Act: one run, with the SSO calls sampled every AWS second on the stack's thread.
    console.log(
      `${label} reconciling ${options.accounts} accounts × ${options.permissionSets} permission sets, ${ids.length} ACTIVE grants, nothing to do`,
    );
    // Two AWS seconds of quiet first: the last grants' own status polls must not share the emulator's one-second
    // window with the run (a run met by other callers' traffic is what the budget is for, and not this figure).
    await sleep(2000 * timeScale);
    await stack.startSeries(1000 * timeScale, SSO_PREFIX);
    const run = await stack.reconcile();
    const sampled = await stack.series();

    // Assess.
    const ssoCalls = Object.fromEntries(
      Object.entries(run.calls)
        .filter(([target]) => target.startsWith(`${SSO_PREFIX}.`))
        .map(([target, n]) => [target.slice(SSO_PREFIX.length + 1), n]),
    );
    const series = sampled ? callsPerAwsSecond(sampled, timeScale) : [];
    const stillActive = await countStatus(db, stack.tableName, 'ACTIVE');
    return {
      accounts: options.accounts,
      permissionSets: options.permissionSets,
      grants: ids.length,
      awsSeconds: run.wallMs / 1000 / timeScale,
      wallMs: run.wallMs,
      calls: run.calls,
      ssoCalls,
      ssoTotal: Object.values(ssoCalls).reduce((a, b) => a + b, 0),
      ssoPerSecond: {
        peak: series.length > 0 ? Math.max(...series) : 0,
        mean: series.length > 0 ? series.reduce((a, b) => a + b, 0) / series.length : 0,
        series,
      },
      summary: run.summary,
      stillActive,
      complete: run.summary.complete,
      incomplete: JSON.stringify(run.summary.incomplete),
    };
  } finally {
    db.destroy();
    await stack
      .close()
      .catch((error: unknown) =>
        console.error(`${label} closing the stack: ${error instanceof Error ? error.message : String(error)}`),
      );
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  }
};
