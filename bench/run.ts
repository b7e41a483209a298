// `npm run bench` runs every scenario; `npm run bench -- <name> [options]` runs one.
// The polyfills go first: the local stack's workflow engine needs them before it is imported.
import '../local/polyfills.js';
import type { Scenario } from './lib/scenario.js';
import { formatDuration, now } from './lib/timing.js';

// Adding a scenario is one entry here plus its module.
const scenarios: Record<string, Scenario> = {
  audit: {
    description: 'load 100k requests, then time GET /requests for every filter combination as an auditor',
    load: () => import('./audit.js'),
  },
  bulk: {
    description:
      '500 time-bound grants approved at once and revoked at their end under 20 TPS / 15 outstanding, with conflicts and a 2-minute Identity Center outage',
    load: () => import('./bulk.js'),
  },
  catalog: {
    description:
      'GET /catalog warm and cold and POST /requests by name over 5,000 users, 300 groups, 600 accounts; AWS calls per request',
    load: () => import('./catalog.js'),
  },
  cost: {
    description: 'state transitions and Lambda invocations per happy-path request, from the execution history',
    load: () => import('./cost.js'),
  },
  latency: {
    description: 'POST /requests p50/p99 at 1, 16 and 64 clients; Slack click to ack, warm and cold',
    load: () => import('./latency.js'),
  },
  page: {
    description: "the access page's first render in Chromium with the 600-account catalog, cold (fresh stack) and warm",
    load: () => import('./page.js'),
  },
  reconcile: {
    description:
      'the reconciler: a SIGKILLed stack with grants ACTIVE, each removed within one period of its end; one run over 600 accounts × 60 permission sets',
    load: () => import('./reconcile.js'),
  },
  slack: {
    description:
      "Slack's /access: command to views.open warm and cold, and the modal's options over 600 accounts, with a fake Slack",
    load: () => import('./slack.js'),
  },
  size: {
    description:
      'serverless package: zipped bytes and module-init time per function, SDK bundled vs left to the runtime',
    load: () => import('./size.js'),
  },
};

const usage = (): string =>
  [
    'Usage: npm run bench [-- <scenario> [options]]',
    '',
    'Scenarios:',
    ...Object.entries(scenarios).map(([name, s]) => `  ${name.padEnd(12)} ${s.description}`),
  ].join('\n');

const main = async (): Promise<number> => {
  const [first, ...rest] = process.argv.slice(2);
  if (first === '--help' || first === '-h') {
    console.log(usage());
    return 0;
  }
  // No name, or only options: every scenario, each given the same options.
  const selected = first === undefined || first.startsWith('-') ? Object.keys(scenarios) : [first];
  const args = first === undefined || first.startsWith('-') ? process.argv.slice(2) : rest;
  const unknown = selected.filter((name) => !(name in scenarios));
  if (unknown.length > 0) {
    console.error(`Unknown scenario: ${unknown.join(', ')}\n\n${usage()}`);
    return 1;
  }

  const outcomes: Array<{ name: string; passed: boolean; ms: number }> = [];
  for (const name of selected) {
    const scenario = scenarios[name];
    if (!scenario) continue;
    console.log(`\n=== ${name}: ${scenario.description}`);
    const start = now();
    const { run } = await scenario.load();
    const { passed } = await run(args);
    outcomes.push({ name, passed, ms: now() - start });
  }
  if (outcomes.length > 1) {
    console.log('\n=== summary');
    for (const o of outcomes)
      console.log(`  ${o.name.padEnd(12)} ${o.passed ? 'PASS' : 'FAIL'}  ${formatDuration(o.ms)}`);
  }
  return outcomes.every((o) => o.passed) ? 0 : 1;
};

// exitCode, not process.exit(): the process must end because everything was closed, which is itself checked.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
