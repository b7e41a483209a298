// Slack scenario (issue 12, "Performance"): Slack's `/access` on the local stack with the catalog benchmark's generated
// directory (600 accounts in 40 OUs, 60 permission sets, 5,000 users, 300 groups; bench/catalog/fixture.ts) and a fake
// Slack (test/fixtures/fakeSlack.ts) behind the real Slack client.
// - `/access` command to views.open sent: from sending the signed command to the fake Slack receiving views.open. Warm:
//   over HTTP to the running stack, after untimed commands. Cold: a fresh Node process per command that imports the
//   bundled handler (as serverless-esbuild builds it) and invokes it once; timed from the import to views.open
//   received, which is what a Lambda cold start adds to the person's wait. The tsx-loaded source is shown for
//   information, as the other scenarios do.
// - Options load over 600 accounts: POST /slack/options as people type, over HTTP. Each person's first keystroke
//   builds their catalog (the per-warm-function person cache is empty); the next ones reuse it.
//
// The scenario runs in a fresh process (runIsolated): its stack needs its own POLICY_FILE, LOCAL_FIXTURES and bot token.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../local/serverlessConfig.js';
import { startLocalStack, type LocalStack } from '../local/stack.js';
import { startFakeSlack, type FakeSlack } from '../test/fixtures/fakeSlack.js';
import { coldEnvironment } from './catalog/cold.js';
import { defaultCatalogShape, generateCatalogFixture } from './catalog/fixture.js';
import { bundleFunction, functionEntries, providerLiteralEnvironment } from './lib/bundle.js';
import { runFreshNode } from './lib/freshNode.js';
import { runIsolated, tsxNodeArgs } from './lib/isolate.js';
import { intOption } from './lib/options.js';
import { startProgress } from './lib/progress.js';
import { createRandom } from './lib/random.js';
import { writeResult } from './lib/results.js';
import type { ScenarioOutcome } from './lib/scenario.js';
import { summarize } from './lib/stats.js';
import { formatTable, resultCell } from './lib/table.js';
import { formatDuration, formatMs, now, timed } from './lib/timing.js';
import { COLD_COMMAND_SCRIPT, type ColdCommandSample } from './slack/cold.js';

const TARGET_COMMAND_WARM_P95_MS = 300;
const TARGET_COMMAND_COLD_MS = 1000;
const TARGET_OPTIONS_P95_MS = 150;
const BOT_TOKEN = 'xoxb-bench-slack';
const COMMANDS_FUNCTION = 'slackCommands';

export interface SlackRow {
  figure: string;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  target?: string;
  pass: boolean;
  missed: string[];
}

const round = (value: number): number => Math.round(value * 100) / 100;

/** A judged (or informational) row from samples in ms; failures are counted as misses, never dropped silently. */
const rowOf = (
  figure: string,
  samples: readonly number[],
  failures: readonly string[],
  target?: { stat: 'p95' | 'max'; ms: number },
): SlackRow => {
  const s = summarize(samples);
  const missed: string[] = [];
  if (failures.length > 0) missed.push(`${failures.length} failed: ${failures[0]}`);
  if (target && !(s[target.stat] <= target.ms))
    missed.push(`${target.stat} ${formatMs(s[target.stat])} ms > ${target.ms}`);
  return {
    figure,
    samples: s.count,
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    max: round(s.max),
    ...(target ? { target: `${target.stat} ≤ ${target.ms} ms` } : {}),
    pass: missed.length === 0,
    missed,
  };
};

/** Slack's documented signing recipe, written here independently of the code under test. */
const signedHeaders = (secret: string, rawBody: string): Record<string, string> => {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`,
  };
};

const commandBody = (slackUserId: string, triggerId: string): string =>
  new URLSearchParams({
    team_id: 'T0BENCH',
    channel_id: 'C0BENCH',
    user_id: slackUserId,
    command: '/access',
    text: '',
    trigger_id: triggerId,
  }).toString();

const optionsBody = (slackUserId: string, blockId: string, typed: string, accountId?: string): string =>
  `payload=${encodeURIComponent(
    JSON.stringify({
      type: 'block_suggestion',
      user: { id: slackUserId },
      action_id: blockId,
      block_id: blockId,
      value: typed,
      view: {
        id: 'V0BENCH',
        callback_id: 'access_request',
        state: {
          values: accountId
            ? { account: { account: { type: 'external_select', selected_option: { value: accountId } } } }
            : {},
        },
      },
    }),
  )}`;

interface Sent {
  ms: number;
  status: number;
  text: string;
}

const post = async (stack: LocalStack, path: string, rawBody: string, secret: string): Promise<Sent> => {
  const start = now();
  const response = await fetch(`${stack.httpUrl}${path}`, {
    method: 'POST',
    headers: signedHeaders(secret, rawBody),
    body: rawBody,
  });
  const text = await response.text();
  return { ms: now() - start, status: response.status, text };
};

/**
 * One `/access` over HTTP: the time from sending it to the fake Slack receiving its views.open (epoch clocks of one
 * process), and whether the ack was the empty 200 that follows an opened modal.
 */
const timedCommand = async (
  stack: LocalStack,
  fake: FakeSlack,
  secret: string,
  slackUserId: string,
): Promise<{ openMs?: number; ackMs: number; failure?: string }> => {
  const trigger = fake.newTrigger();
  const sentAt = performance.timeOrigin + performance.now();
  const sent = await post(stack, '/slack/commands', commandBody(slackUserId, trigger), secret);
  const opened = fake.callsTo('views.open').find((c) => c.args.trigger_id === trigger);
  if (sent.status !== 200 || sent.text !== '' || !opened || opened.response.ok !== true)
    return {
      ackMs: sent.ms,
      failure: `${sent.status} ${sent.text.slice(0, 120)}; views.open ${opened ? String(opened.response.error ?? 'ok') : 'not called'}`,
    };
  return { openMs: opened.receivedAtMs - sentAt, ackMs: sent.ms };
};

const coldCommands = async (
  fake: FakeSlack,
  variant: { label: string; handlerUrl: string; nodeArgs: string[]; env: Record<string, string> },
  slackUserIds: readonly string[],
): Promise<{ openMs: number[]; failures: string[]; samples: Array<ColdCommandSample & { openMs?: number }> }> => {
  const progress = startProgress({
    label: `/access cold, ${variant.label}`,
    total: slackUserIds.length,
    unit: 'processes',
  });
  const openMs: number[] = [];
  const failures: string[] = [];
  const samples: Array<ColdCommandSample & { openMs?: number }> = [];
  let done = 0;
  for (const slackUserId of slackUserIds) {
    const trigger = fake.newTrigger();
    try {
      const sample = await runFreshNode<ColdCommandSample>({
        script: COLD_COMMAND_SCRIPT,
        nodeArgs: variant.nodeArgs,
        env: {
          ...variant.env,
          BENCH_HANDLER_URL: variant.handlerUrl,
          BENCH_COMMAND_BODY: commandBody(slackUserId, trigger),
        },
        timeoutMs: 60_000,
      });
      const opened = fake.callsTo('views.open').find((c) => c.args.trigger_id === trigger);
      if (sample.statusCode !== 200 || !opened || opened.response.ok !== true) {
        failures.push(
          `${sample.statusCode} ${sample.body}; views.open ${opened ? String(opened.response.error ?? 'ok') : 'not called'}`,
        );
        samples.push(sample);
      } else {
        const ms = opened.receivedAtMs - sample.startedAtMs;
        openMs.push(ms);
        samples.push({ ...sample, openMs: round(ms) });
      }
    } catch (error) {
      failures.push((error as Error).message.split('\n').slice(-3).join(' ').slice(0, 200));
    }
    done += 1;
    progress.update(done);
  }
  progress.finish();
  return { openMs, failures, samples };
};

const printRows = (rows: readonly SlackRow[]): void => {
  const ms = (v: number) => (Number.isNaN(v) ? '-' : formatMs(v));
  console.log(
    formatTable<SlackRow>(
      [
        { header: 'figure', cell: (r) => r.figure },
        { header: 'n', cell: (r) => String(r.samples), align: 'right' },
        { header: 'p50 ms', cell: (r) => ms(r.p50), align: 'right' },
        { header: 'p95 ms', cell: (r) => ms(r.p95), align: 'right' },
        { header: 'p99 ms', cell: (r) => ms(r.p99), align: 'right' },
        { header: 'max ms', cell: (r) => ms(r.max), align: 'right' },
        { header: 'target', cell: (r) => r.target ?? '' },
        { header: 'result', cell: resultCell },
      ],
      rows,
    ),
  );
};

/** Everything, in the fresh process runIsolated started. */
export const runInProcess = async (args: readonly string[]): Promise<ScenarioOutcome> => {
  const scenarioStart = now();
  const warmCommands = intOption(args, 'commands', 'BENCH_SLACK_COMMANDS', 200);
  const optionPeople = intOption(args, 'option-people', 'BENCH_SLACK_OPTION_PEOPLE', 100);
  const coldCount = intOption(args, 'cold-runs', 'BENCH_SLACK_COLD_RUNS', 5);
  const workDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-slack-'));
  const keepData = args.includes('--keep-data');

  const generated = generateCatalogFixture(defaultCatalogShape());
  const { shape } = generated;
  // Every eligible requester gets a Slack id in policy's `people`, as an organisation that lists them would.
  const people = generated.eligibleRequesters.map((email, i) => ({
    id: email,
    slackUserId: `UB${String(i).padStart(6, '0')}`,
  }));
  const policy = { ...generated.policy, people };
  const fixturesFile = join(workDir, 'fixtures.json');
  const policyFile = join(workDir, 'policy.json');
  writeFileSync(fixturesFile, JSON.stringify(generated.fixtures));
  writeFileSync(policyFile, JSON.stringify(policy, null, 2));
  const accountNames = generated.fixtures.organizations.accounts.map((a) => a.name);
  console.log(
    `directory: ${shape.accounts} accounts, ${shape.permissionSets} permission sets, ${shape.users.toLocaleString('en-US')} users in ${shape.groups} groups (seed ${shape.seed}); ${people.length} people with Slack ids; work dir ${workDir}`,
  );

  const fake = await startFakeSlack({ token: BOT_TOKEN });
  let stack: LocalStack | undefined;
  try {
    const started = await timed(() =>
      startLocalStack({
        port: 0,
        awsPort: 0,
        dataDir: join(workDir, 'data'),
        quiet: true,
        fixtures: fixturesFile,
        policyFile,
        slackBotToken: BOT_TOKEN,
        slackApiUrl: fake.url,
      }),
    );
    stack = started.value;
    const secret = process.env.SLACK_SIGNING_SECRET;
    if (!secret) throw new Error('SLACK_SIGNING_SECRET is not set: the stack sets it before handlers run');
    console.log(`stack: HTTP ${stack.httpUrl}, started in ${formatDuration(started.ms)}; fake Slack ${fake.url}`);
    const random = createRandom(shape.seed + 12);
    const shuffled = [...people];
    for (let i = shuffled.length - 1; i > 0; i -= 1) {
      const j = random.int(i + 1);
      const [a, b] = [shuffled[i], shuffled[j]];
      if (a && b) [shuffled[i], shuffled[j]] = [b, a];
    }
    let next = 0;
    const take = (count: number) => {
      const taken = shuffled.slice(next, next + count);
      next += count;
      if (taken.length < count) throw new Error(`only ${shuffled.length} people for ${next} wanted`);
      return taken;
    };

    // Cold first, while the stack has served nothing: the bundle as deployed, then the tsx-loaded source.
    const entry = functionEntries(projectRoot).find((fn) => fn.name === COMMANDS_FUNCTION);
    if (!entry) throw new Error(`serverless.yml: no function ${COMMANDS_FUNCTION}`);
    const built = await bundleFunction(projectRoot, entry.entry, join(workDir, 'bundle'));
    const deployedNodeOptions = providerLiteralEnvironment(projectRoot).NODE_OPTIONS;
    const slackEnv = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: fake.url };
    const bundle = await coldCommands(
      fake,
      {
        label: 'bundle',
        handlerUrl: pathToFileURL(built.file).href,
        nodeArgs: [],
        env: coldEnvironment({ ...slackEnv, ...(deployedNodeOptions ? { NODE_OPTIONS: deployedNodeOptions } : {}) }),
      },
      take(coldCount).map((p) => p.slackUserId),
    );
    const source = await coldCommands(
      fake,
      {
        label: 'tsx source',
        handlerUrl: pathToFileURL(join(projectRoot, entry.entry)).href,
        nodeArgs: tsxNodeArgs(),
        env: coldEnvironment(slackEnv),
      },
      take(coldCount).map((p) => p.slackUserId),
    );

    // Warm commands: untimed ones load the module into the stack first.
    for (const person of take(5)) await timedCommand(stack, fake, secret, person.slackUserId);
    const commandProgress = startProgress({ label: '/access warm', total: warmCommands, unit: 'commands' });
    const warmOpen: number[] = [];
    const warmAck: number[] = [];
    const warmFailures: string[] = [];
    // People may repeat here, as real ones do: the command's cost does not depend on who asks.
    for (let i = 0; i < warmCommands; i += 1) {
      const person = random.pick(people);
      const result = await timedCommand(stack, fake, secret, person.slackUserId);
      if (result.failure) warmFailures.push(result.failure);
      if (result.openMs !== undefined) warmOpen.push(result.openMs);
      warmAck.push(result.ackMs);
      commandProgress.update(i + 1);
    }
    commandProgress.finish();

    // Options: each person types an account name a character at a time (three keystrokes), then opens the
    // permission-set select for the account they chose. Untimed people warm the module and the directory first.
    const optionsRound = async (slackUserId: string) => {
      const name = random.pick(accountNames);
      const accountId = generated.fixtures.organizations.accounts.find((a) => a.name === name)?.id;
      const loads: Array<{ sent: Sent; first: boolean; block: string }> = [];
      for (const [k, typed] of ['', name.slice(0, 1), name.slice(0, 3)].entries()) {
        loads.push({
          sent: await post(stack as LocalStack, '/slack/options', optionsBody(slackUserId, 'account', typed), secret),
          first: k === 0,
          block: 'account',
        });
      }
      loads.push({
        sent: await post(
          stack as LocalStack,
          '/slack/options',
          optionsBody(slackUserId, 'permission_set', '', accountId),
          secret,
        ),
        first: false,
        block: 'permission_set',
      });
      return loads;
    };
    for (const person of take(5)) await optionsRound(person.slackUserId);
    const optionsProgress = startProgress({ label: 'options', total: optionPeople, unit: 'people' });
    const loads: Array<{ sent: Sent; first: boolean; block: string }> = [];
    for (const [i, person] of take(optionPeople).entries()) {
      loads.push(...(await optionsRound(person.slackUserId)));
      optionsProgress.update(i + 1);
    }
    optionsProgress.finish();
    const optionFailures = loads
      .filter((l) => l.sent.status !== 200 || !/"options"|"option_groups"/.test(l.sent.text))
      .map((l) => `${l.sent.status} ${l.sent.text.slice(0, 120)}`);
    const emptyAccountLists = loads.filter((l) => l.first && l.sent.text.includes('"options":[]')).length;
    const firstAll = loads.find((l) => l.first)?.sent.text ?? '';
    const cutLabel = /"First 100 of (\d+)[^"]*"/.exec(firstAll)?.[0];

    const bundleLabel = `/access → views.open, cold (bundle${deployedNodeOptions ? `, ${deployedNodeOptions}` : ''}): import + first invocation`;
    const rows: SlackRow[] = [
      rowOf('/access → views.open sent, warm', warmOpen, warmFailures, { stat: 'p95', ms: TARGET_COMMAND_WARM_P95_MS }),
      rowOf('/access → empty ack received, warm (information)', warmAck, []),
      rowOf(bundleLabel, bundle.openMs, bundle.failures, { stat: 'max', ms: TARGET_COMMAND_COLD_MS }),
      rowOf('/access → views.open, cold (tsx source, information)', source.openMs, source.failures),
      rowOf(
        `options over ${shape.accounts} accounts, every load`,
        loads.map((l) => l.sent.ms),
        optionFailures,
        { stat: 'p95', ms: TARGET_OPTIONS_P95_MS },
      ),
      rowOf(
        "options, a person's first keystroke (catalog built)",
        loads.filter((l) => l.first).map((l) => l.sent.ms),
        [],
      ),
      rowOf(
        'options, later keystrokes and permission sets (catalog cached)',
        loads.filter((l) => !l.first).map((l) => l.sent.ms),
        [],
      ),
    ];
    console.log('');
    printRows(rows);
    console.log(
      `\nwarm = signed requests over HTTP to the local stack, one at a time; "→ views.open sent" ends when the fake Slack receives views.open (the ack follows it). cold = a fresh Node process per command: import + first invocation, to views.open received; judged on the slowest bundle run (every cold start must fit, not the typical one). options = POST /slack/options response time over HTTP.`,
    );
    console.log(
      `first account list: ${cutLabel ?? 'not cut'}; ${emptyAccountLists} of ${optionPeople + 5} people were offered no account`,
    );
    for (const row of rows) for (const m of row.missed) console.log(`${row.figure}: ${m}`);
    console.log(
      `machine load average (1 min) at the end: ${loadavg()[0]?.toFixed(2)} on ${cpus().length} cores; other work on the box inflates every number`,
    );
    const judged = rows.filter((r) => r.target);
    const passed = rows.every((r) => r.pass);
    console.log(
      `\noverall: ${passed ? 'PASS' : 'FAIL'} (${judged.filter((r) => r.pass).length}/${judged.length} targets met)`,
    );
    const file = writeResult('slack', {
      passed,
      loadAverage: loadavg(),
      targets: {
        commandWarmP95Ms: TARGET_COMMAND_WARM_P95_MS,
        commandColdMaxMs: TARGET_COMMAND_COLD_MS,
        optionsP95Ms: TARGET_OPTIONS_P95_MS,
      },
      shape,
      rows,
      details: {
        cold: { bundle: bundle.samples, source: source.samples },
        firstAccountListLabel: cutLabel,
        peopleOfferedNoAccount: emptyAccountLists,
      },
      totalMs: Math.round(now() - scenarioStart),
    });
    console.log(`results: ${file}; scenario took ${formatDuration(now() - scenarioStart)}`);
    return { passed };
  } catch (error) {
    console.error(error);
    throw error;
  } finally {
    await stack?.close();
    await fake.close();
    if (keepData) console.log(`fixture, policy and data kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
};

export const run = (args: readonly string[]): Promise<ScenarioOutcome> => runIsolated(import.meta.url, args);
