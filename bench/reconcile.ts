// Reconcile scenario (issue 13): the reconciler that ends grants whose workflow was lost, and its cost.
// 1. crash: the local stack (as `npm start`, a child process) is killed with SIGKILL while grants are ACTIVE and
//    restarted on the same data; every grant must be REVOKED within one reconciler period (5 minutes of AWS time)
//    of its end, measured from each grant's end (activeUntil) to its `revoked` event.
// 2. sweep: one reconciler run (LocalStack.reconcileNow) over 600 accounts × 60 permission sets, every account
//    watched, with ACTIVE grants the ledger explains and nothing to do: at most 60 s of AWS time, within Identity
//    Center's 20 calls per second; the calls it makes are reported by operation.
import { intOption, optionValue } from './lib/options.js';
import { writeResult } from './lib/results.js';
import type { ScenarioOutcome } from './lib/scenario.js';
import { sparkline } from './lib/sparkline.js';
import { formatTable, resultCell } from './lib/table.js';
import { formatDuration, now } from './lib/timing.js';
import { runCrash, type CrashResult } from './reconcile/crash.js';
import { runSweep, type SweepResult } from './reconcile/sweep.js';

const PERIOD_SECONDS = 300;
const TARGET_SWEEP_SECONDS = 60;
const SSO_TPS = 20;

export const USAGE = `Options:
  --only crash|sweep           run one part
  --crash-grants 20            grants ACTIVE when the stack is killed
  --crash-duration-minutes 5   their length (they must all be ACTIVE before the first ends)
  --crash-time-scale 0.1       LOCAL_TIME_SCALE of the crashed stack (the reconciler's 300 s period is 30 s wall)
  --accounts 600 --permission-sets 60 --grants 120   the sweep's organisation and its ACTIVE grants
  --time-scale 1               LOCAL_TIME_SCALE of the sweep's stack
  --keep-data                  keep the stacks' data directories`;

const numberOption = (args: readonly string[], name: string, fallback: number): number => {
  const raw = optionValue(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`--${name} must be a number > 0, got "${raw}"`);
  return value;
};

export const readReconcileConfig = (args: readonly string[]) => {
  const only = optionValue(args, 'only');
  if (only !== undefined && only !== 'crash' && only !== 'sweep')
    throw new Error(`--only must be crash or sweep, got "${only}"`);
  return {
    only: only as 'crash' | 'sweep' | undefined,
    crash: {
      grants: intOption(args, 'crash-grants', 'BENCH_RECONCILE_CRASH_GRANTS', 20),
      durationMinutes: intOption(args, 'crash-duration-minutes', 'BENCH_RECONCILE_CRASH_DURATION_MINUTES', 5),
      timeScale: numberOption(args, 'crash-time-scale', 0.1),
      periodSeconds: PERIOD_SECONDS,
      keepData: args.includes('--keep-data'),
    },
    sweep: {
      accounts: intOption(args, 'accounts', 'BENCH_RECONCILE_ACCOUNTS', 600),
      permissionSets: intOption(args, 'permission-sets', 'BENCH_RECONCILE_PERMISSION_SETS', 60),
      grants: intOption(args, 'grants', 'BENCH_RECONCILE_GRANTS', 120),
      timeScale: numberOption(args, 'time-scale', 1),
      keepData: args.includes('--keep-data'),
    },
  };
};

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };
const attempt = async <T>(what: string, work: () => Promise<T>): Promise<Outcome<T>> => {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.log(`${what} could not run: ${message.split('\n')[0]}`);
    return { ok: false, error: message };
  }
};

interface Row {
  figure: string;
  value: string;
  target?: string;
  pass: boolean;
  missed: string[];
}

const crashRows = (outcome: Outcome<CrashResult>): Row[] => {
  if (!outcome.ok)
    return [
      {
        figure: 'crash: every grant past its end removed by the reconciler',
        value: `not run: ${outcome.error.split('\n')[0]?.slice(0, 120)}`,
        target: `within one period (${PERIOD_SECONDS} s)`,
        pass: false,
        missed: ['not run'],
      },
    ];
  const r = outcome.value;
  const all = r.grants.length;
  const byReconciler = r.grants.filter((g) => g.after.some((line) => /reconcil/i.test(line))).length;
  return [
    {
      figure: 'crash: grants REVOKED within one period of their end',
      value: `${r.withinPeriod} of ${all}${r.timedOut ? ' (gave up waiting)' : ''}`,
      target: `${all} of ${all}`,
      pass: r.withinPeriod === all && !r.timedOut,
      missed: r.withinPeriod === all ? [] : ['some grant not REVOKED in time'],
    },
    {
      figure: 'crash: grant end → REVOKED, AWS s, p50 / max',
      value: r.endToRevoked ? `${r.endToRevoked.p50.toFixed(1)} / ${r.endToRevoked.max.toFixed(1)}` : '-',
      target: `max ≤ ${PERIOD_SECONDS}`,
      pass: r.endToRevoked !== null && r.endToRevoked.max <= PERIOD_SECONDS,
      missed: [],
    },
    {
      figure: 'crash: final statuses',
      value: Object.entries(r.statuses)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      pass: true,
      missed: [],
    },
    {
      figure: 'crash: ended with a reconciler event',
      value: `${byReconciler} of ${all}`,
      pass: true,
      missed: [],
    },
    {
      figure: 'crash: assignments left (ListAccountAssignments)',
      value: String(r.left),
      target: '0',
      pass: r.left === 0,
      missed: [],
    },
    { figure: 'crash: SIGKILL → restarted, wall', value: formatDuration(r.restartMs), pass: true, missed: [] },
  ];
};

const sweepRows = (outcome: Outcome<SweepResult>, config: ReturnType<typeof readReconcileConfig>['sweep']): Row[] => {
  const figure = `sweep: one run over ${config.accounts} accounts × ${config.permissionSets} permission sets, nothing to do, AWS s`;
  if (!outcome.ok)
    return [
      {
        figure,
        value: `not run: ${outcome.error.split('\n')[0]?.slice(0, 120)}`,
        target: `≤ ${TARGET_SWEEP_SECONDS}`,
        pass: false,
        missed: ['not run'],
      },
    ];
  const r = outcome.value;
  const byOperation = Object.entries(r.ssoCalls)
    .sort((a, b) => b[1] - a[1])
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  const other = Object.entries(r.calls)
    .filter(([target]) => !target.startsWith('SWBExternalService.'))
    .sort((a, b) => b[1] - a[1])
    .map(([target, n]) => `${target.split('.').pop()} ${n}`)
    .join(', ');
  return [
    {
      figure,
      value: `${r.awsSeconds.toFixed(1)} (${formatDuration(r.wallMs)} wall)${r.complete ? '' : ', incomplete'}`,
      target: `≤ ${TARGET_SWEEP_SECONDS}`,
      // A run that stopped early did not do the work the figure is about.
      pass: r.awsSeconds <= TARGET_SWEEP_SECONDS && r.complete,
      missed: r.complete ? [] : ['the run was incomplete'],
    },
    {
      figure: 'sweep: the run complete (every step to its end)',
      value: r.complete ? 'yes' : `no: ${r.incomplete.slice(0, 140)}`,
      target: 'yes',
      pass: r.complete,
      missed: [],
    },
    {
      figure: 'sweep: Identity Center calls per AWS s, peak / mean',
      value: `${r.ssoPerSecond.peak.toFixed(1)} / ${r.ssoPerSecond.mean.toFixed(1)}`,
      target: `peak ≤ ${SSO_TPS}`,
      // A one-second sample can straddle two of the emulator's windows; more than 20 in one is a budget overrun.
      pass: r.ssoPerSecond.peak <= SSO_TPS * 1.05,
      missed: [],
    },
    {
      figure: 'sweep: Identity Center calls per AWS s over time (█ = 20)',
      value: sparkline(r.ssoPerSecond.series, { width: 60, max: SSO_TPS }) || '-',
      pass: true,
      missed: [],
    },
    {
      figure: 'sweep: Identity Center calls by operation',
      value: `${r.ssoTotal}: ${byOperation || '-'}`,
      pass: true,
      missed: [],
    },
    { figure: 'sweep: other AWS calls (DynamoDB, …)', value: other || '-', pass: true, missed: [] },
    {
      figure: 'sweep: grants still ACTIVE after the run',
      value: `${r.stillActive} of ${r.grants}`,
      target: `${r.grants}`,
      pass: r.stillActive === r.grants,
      missed: [],
    },
    {
      figure: "sweep: the reconciler's summary",
      value: JSON.stringify(r.summary ?? null).slice(0, 200),
      pass: true,
      missed: [],
    },
  ];
};

export const run = async (args: readonly string[]): Promise<ScenarioOutcome> => {
  if (args.includes('--help')) {
    console.log(USAGE);
    return { passed: true };
  }
  const started = now();
  const config = readReconcileConfig(args);
  const crash =
    config.only === 'sweep'
      ? undefined
      : await attempt('crash', () => {
          console.log(
            `--- crash: ${config.crash.grants} grants of ${config.crash.durationMinutes} min, SIGKILL while ACTIVE, restart; time scale ${config.crash.timeScale}`,
          );
          return runCrash(config.crash);
        });
  const sweep =
    config.only === 'crash'
      ? undefined
      : await attempt('sweep', () => {
          console.log(
            `--- sweep: ${config.sweep.accounts} accounts × ${config.sweep.permissionSets} permission sets, ${config.sweep.grants} ACTIVE grants; time scale ${config.sweep.timeScale}`,
          );
          return runSweep(config.sweep);
        });

  const rows = [...(crash ? crashRows(crash) : []), ...(sweep ? sweepRows(sweep, config.sweep) : [])];
  console.log(
    `\n${formatTable(
      [
        { header: 'figure', cell: (r: Row) => r.figure },
        { header: 'value', cell: (r: Row) => r.value, align: 'right' },
        { header: 'target', cell: (r: Row) => r.target ?? '' },
        { header: 'result', cell: (r: Row) => resultCell(r) },
      ],
      rows,
    )}`,
  );
  if (crash?.ok) {
    const howEnded = new Map<string, number>();
    for (const g of crash.value.grants) {
      const last =
        g.after.filter((line) => /^(revoked|revoke_failed|reconcil)/i.test(line)).at(-1) ?? g.after.at(-1) ?? '-';
      howEnded.set(last, (howEnded.get(last) ?? 0) + 1);
    }
    console.log('\ncrash: how each grant was ended (its last ending event after the crash):');
    for (const [line, n] of howEnded) console.log(`  ${n} × ${line}`);
  }
  const passed = rows.every((r) => r.pass);
  const file = writeResult('reconcile', {
    passed,
    targets: { crashEndToRevokedSeconds: PERIOD_SECONDS, sweepAwsSeconds: TARGET_SWEEP_SECONDS, ssoTps: SSO_TPS },
    config,
    crash: crash ?? null,
    sweep: sweep ?? null,
    rows,
    totalMs: Math.round(now() - started),
  });
  console.log(`\n${passed ? 'PASS' : 'FAIL'}; results: ${file}; scenario took ${formatDuration(now() - started)}`);
  return { passed };
};
