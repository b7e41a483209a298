// Cold start and size scenario: package the service with `serverless package` exactly as a deploy would, then for
// every function's zip report its size (with and without the source map) and the module-init time of its bundle
// (median over fresh `node` processes). Beside it, the same bundles built with the AWS SDK left to the Lambda
// runtime (esbuild `external: ['@aws-sdk/*']`, every other option from serverless.yml), so the lead can choose.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../local/serverlessConfig.js';
import { bundleFunction, bytesByPackage, functionEntries, serverlessEsbuildOptions } from './lib/bundle.js';
import { baseEnvironment, RESULT_PREFIX, runFreshNode } from './lib/freshNode.js';
import { intOption } from './lib/options.js';
import { startProgress } from './lib/progress.js';
import { writeResult } from './lib/results.js';
import type { ScenarioOutcome } from './lib/scenario.js';
import { summarize } from './lib/stats.js';
import { formatTable } from './lib/table.js';
import { formatDuration, formatMs, now, timed } from './lib/timing.js';

const KIB = 1024;
const TARGET_ZIP_BYTES = 300 * KIB;
const TARGET_INIT_MS = 150;
/** What `serverless package` reads from the service directory: the config, the handlers, and package.patterns. */
const PROJECT_FILES = [
  'serverless.yml',
  'package.json',
  'tsconfig.json',
  'functions',
  'config',
  'statemachine',
  'types',
];

interface Measured {
  zipBytes: number;
  zipBytesWithoutMap: number;
  /** The bundle itself, unzipped. */
  bundleBytes: number;
  mapBytes: number;
  /** Median import time with the environment the template gives the function (NODE_OPTIONS included). */
  initMs: number;
  initSamples: number[];
}

export interface SizeRow {
  name: string;
  packaged: Measured;
  sdkExternal: Measured;
  /** Whether rebuilding with serverless.yml's esbuild options gave the packaged bundle byte for byte. */
  reproduced: boolean;
  pass: boolean;
  missed: string[];
}

const exec = (command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });

const mustRun = async (command: string, args: string[], cwd: string): Promise<string> => {
  const { code, output } = await exec(command, args, cwd);
  if (code !== 0)
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited with ${code}:\n${output.trim().split('\n').slice(-20).join('\n')}`,
    );
  return output;
};

/** The zip's size once its source maps are deleted from a copy (what `sourcemap: false` would ship). */
const zipWithoutMaps = async (zip: string, scratch: string): Promise<number> => {
  const copy = join(scratch, `nomap-${Date.now()}-${Math.random().toString(36).slice(2)}.zip`);
  copyFileSync(zip, copy);
  // zip -d exits 12 ("nothing to do") when there is no map: the size is then the original's.
  const { code, output } = await exec('zip', ['-dq', copy, '*.map'], scratch);
  if (code !== 0 && code !== 12) throw new Error(`zip -d ${copy}: exit ${code}: ${output}`);
  const bytes = statSync(copy).size;
  rmSync(copy);
  return bytes;
};

// Time the import only: the process is fresh, so this is the module's whole load, parse and top-level run. The
// exit is explicit so that nothing a module leaves scheduled can hold a throwaway process open.
const INIT_SCRIPT = `
const t0 = performance.now();
await import(process.env.BENCH_MODULE_URL);
const t1 = performance.now();
process.stdout.write('\\n${RESULT_PREFIX}' + JSON.stringify({ importMs: t1 - t0, sinceStartMs: t1 }) + '\\n');
process.exit(0);
`;

type TemplateEnvironment = Record<string, string>;

/**
 * Each function's handler file and environment, from the CloudFormation template `serverless package` wrote.
 * References (the table's name, the state machine's ARN) only exist once deployed; a placeholder stands in, as
 * nothing reads them at import.
 */
const readTemplate = (packageDir: string): Map<string, { handlerFile: string; environment: TemplateEnvironment }> => {
  const template = JSON.parse(readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Properties: { Handler?: string; Environment?: { Variables?: Record<string, unknown> } } }
    >;
  };
  const byFunction = new Map<string, { handlerFile: string; environment: TemplateEnvironment }>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || !resource.Properties.Handler) continue;
    const name = logicalId.replace(/LambdaFunction$/, '');
    const handler = resource.Properties.Handler;
    const environment: TemplateEnvironment = {};
    for (const [key, value] of Object.entries(resource.Properties.Environment?.Variables ?? {})) {
      environment[key] = typeof value === 'string' ? value : `bench-placeholder-${key.toLowerCase()}`;
    }
    byFunction.set(name.charAt(0).toLowerCase() + name.slice(1), {
      handlerFile: `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`,
      environment,
    });
  }
  return byFunction;
};

/** What the Lambda runtime sets that handlers may read, plus credentials nothing will use. */
const lambdaEnvironment = (name: string): Record<string, string> => ({
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: `access-approvals-bench-${name}`,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
});

/** Median import time of `file` over `runs` fresh processes, with cwd = the unzipped package, as in /var/task. */
const measureInit = async (
  file: string,
  cwd: string,
  env: Record<string, string>,
  runs: number,
  onRun: () => void,
): Promise<number[]> => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const result = await runFreshNode<{ importMs: number }>({
      script: INIT_SCRIPT,
      cwd,
      env: { ...env, BENCH_MODULE_URL: pathToFileURL(file).href },
    });
    samples.push(result.importMs);
    onRun();
  }
  return samples;
};

const round = (value: number): number => Math.round(value * 100) / 100;
const kib = (bytes: number): string => (bytes / KIB).toFixed(0);

/** Unzips `zip` into `dir` with the `unzip` CLI, as Lambda lays a package out in /var/task. */
const unzip = (zip: string, dir: string): Promise<string> => {
  mkdirSync(dir, { recursive: true });
  return mustRun('unzip', ['-qo', zip, '-d', dir], dir);
};

export const run = async (args: readonly string[]): Promise<ScenarioOutcome> => {
  const runs = intOption(args, 'init-runs', 'BENCH_SIZE_INIT_RUNS', 10);
  // The alternative is judged against nothing, so fewer runs keep the scenario short.
  const altRuns = intOption(args, 'alt-init-runs', 'BENCH_SIZE_ALT_INIT_RUNS', 5);
  const keep = args.includes('--keep-data');
  const scenarioStart = now();
  const work = mkdtempSync(join(tmpdir(), 'access-approvals-bench-size-'));
  try {
    // A copy of the service, because serverless writes .serverless/ and serverless-esbuild .esbuild/ into the
    // service directory, and others may be packaging or testing in this checkout at the same time.
    const service = join(work, 'service');
    mkdirSync(service);
    for (const file of PROJECT_FILES)
      if (existsSync(join(projectRoot, file)))
        cpSync(join(projectRoot, file), join(service, file), { recursive: true });
    symlinkSync(join(projectRoot, 'node_modules'), join(service, 'node_modules'), 'dir');

    const packageDir = join(work, 'package');
    console.log('packaging: npx serverless package (a copy of the service, so this checkout is left untouched)');
    // --no-install: the serverless in node_modules or nothing; never a download.
    const packaged = await timed(() =>
      mustRun('npx', ['--no-install', 'serverless', 'package', '--package', packageDir], service),
    );
    console.log(`packaged in ${formatDuration(packaged.ms)}`);
    const template = readTemplate(packageDir);
    const entries = functionEntries(service);
    const missing = entries.filter((e) => !template.has(e.name) || !existsSync(join(packageDir, `${e.name}.zip`)));
    if (missing.length > 0)
      throw new Error(`serverless package wrote no zip or template entry for ${missing.map((e) => e.name).join(', ')}`);

    // The alternative, built the way serverless-esbuild builds (same options), with the SDK external.
    const base = serverlessEsbuildOptions(service);
    const variants = {
      bundled: { external: base.external ?? [] },
      sdkExternal: { external: [...(base.external ?? []), '@aws-sdk/*'] },
    } as const;
    const built = await timed(async () => {
      const out: Record<
        keyof typeof variants,
        Map<
          string,
          { dir: string; file: string; zip: string; metafile: Awaited<ReturnType<typeof bundleFunction>>['metafile'] }
        >
      > = {
        bundled: new Map(),
        sdkExternal: new Map(),
      };
      const jobs = (Object.entries(variants) as Array<[keyof typeof variants, { external: string[] }]>).flatMap(
        ([variant, overrides]) => entries.map((entry) => ({ variant, overrides, entry })),
      );
      // A few at a time: esbuild and zip are separate processes, so the two cores stay busy without thrashing.
      let nextJob = 0;
      const builder = async (): Promise<void> => {
        for (let j = nextJob++; j < jobs.length; j = nextJob++) {
          const job = jobs[j];
          if (!job) continue;
          const { variant, overrides, entry } = job;
          const dir = join(work, variant, entry.name);
          const result = await bundleFunction(service, entry.entry, dir, { external: overrides.external });
          // package.patterns: the policy files ship in every zip.
          for (const file of readdirSync(join(service, 'config')).filter((f) => /^policy.*\.json$/.test(f))) {
            mkdirSync(join(dir, 'config'), { recursive: true });
            copyFileSync(join(service, 'config', file), join(dir, 'config', file));
          }
          const zip = join(work, variant, `${entry.name}.zip`);
          // -X: no extra attributes, as a deploy artifact; default deflate level, like serverless's archiver.
          await mustRun('zip', ['-qrX', zip, '.'], dir);
          out[variant].set(entry.name, { dir, file: result.file, zip, metafile: result.metafile });
        }
      };
      await Promise.all(Array.from({ length: 4 }, builder));
      return out;
    });
    console.log(
      `built ${entries.length} functions twice with esbuild (SDK bundled, SDK external) in ${formatDuration(built.ms)}`,
    );
    // The runtime provides @aws-sdk/* at /var/runtime/node_modules; here the project's copy stands in for it, which
    // is the same kind of load (the packages' own CommonJS builds from node_modules, not a bundle).
    symlinkSync(join(projectRoot, 'node_modules'), join(work, 'sdkExternal', 'node_modules'), 'dir');

    const sourceMapRuns = runs;
    const progress = startProgress({
      label: 'fresh node processes',
      total: entries.length * (runs + altRuns) + 2 * sourceMapRuns,
      unit: 'imports',
      intervalMs: 5000,
    });
    let done = 0;
    const tick = (): void => {
      done += 1;
      progress.update(done);
    };
    const rows: SizeRow[] = [];
    const prepared: Array<{
      entry: (typeof entries)[number];
      env: Record<string, string>;
      packagedDir: string;
      packagedZip: string;
      packagedFile: string;
    }> = [];
    for (const entry of entries) {
      const info = template.get(entry.name);
      if (!info) continue;
      const env = { ...baseEnvironment(), ...lambdaEnvironment(entry.name), ...info.environment };
      // As packaged: the zip serverless wrote, unzipped as Lambda would.
      const packagedDir = join(work, 'unzipped', entry.name);
      const packagedZip = join(packageDir, `${entry.name}.zip`);
      await unzip(packagedZip, packagedDir);
      const packagedFile = join(packagedDir, info.handlerFile);
      const external = built.value.sdkExternal.get(entry.name);
      if (!external) throw new Error(`no SDK-external build of ${entry.name}`);
      // Alternating the two builds run by run, so a burst of load from elsewhere on the machine hits both alike.
      const packagedSamples: number[] = [];
      const externalSamples: number[] = [];
      for (let i = 0; i < Math.max(runs, altRuns); i += 1) {
        if (i < runs) packagedSamples.push(...(await measureInit(packagedFile, packagedDir, env, 1, tick)));
        if (i < altRuns) externalSamples.push(...(await measureInit(external.file, external.dir, env, 1, tick)));
      }
      const measured = async (zip: string, file: string, samples: number[]): Promise<Measured> => ({
        zipBytes: statSync(zip).size,
        zipBytesWithoutMap: await zipWithoutMaps(zip, work),
        bundleBytes: statSync(file).size,
        mapBytes: existsSync(`${file}.map`) ? statSync(`${file}.map`).size : 0,
        initMs: round(summarize(samples).p50),
        initSamples: samples.map(round),
      });
      const packagedMeasured = await measured(packagedZip, packagedFile, packagedSamples);
      const own = built.value.bundled.get(entry.name);
      const reproduced = own !== undefined && readFileSync(own.file).equals(readFileSync(packagedFile));
      const missed: string[] = [];
      if (packagedMeasured.zipBytes > TARGET_ZIP_BYTES) missed.push(`zip ${kib(packagedMeasured.zipBytes)} KiB > 300`);
      if (packagedMeasured.initMs > TARGET_INIT_MS)
        missed.push(`init ${formatMs(packagedMeasured.initMs)} ms > ${TARGET_INIT_MS}`);
      rows.push({
        name: entry.name,
        packaged: packagedMeasured,
        sdkExternal: await measured(external.zip, external.file, externalSamples),
        reproduced,
        pass: missed.length === 0,
        missed,
      });
      prepared.push({ entry, env, packagedDir, packagedZip, packagedFile });
    }

    // What --enable-source-maps costs at init, paired on the biggest bundle: with it Node reads and parses the whole
    // .map when the module loads. Alternating with and without, for the same reason as above.
    const biggest = [...rows].sort((a, b) => b.packaged.bundleBytes - a.packaged.bundleBytes)[0];
    const biggestPrepared = prepared.find((p) => p.entry.name === biggest?.name);
    const sourceMaps = { function: biggest?.name ?? '', withMs: [] as number[], withoutMs: [] as number[] };
    if (biggestPrepared) {
      const { NODE_OPTIONS: _ignored, ...withoutNodeOptions } = biggestPrepared.env;
      for (let i = 0; i < sourceMapRuns; i += 1) {
        sourceMaps.withMs.push(
          ...(await measureInit(
            biggestPrepared.packagedFile,
            biggestPrepared.packagedDir,
            biggestPrepared.env,
            1,
            tick,
          )),
        );
        sourceMaps.withoutMs.push(
          ...(await measureInit(
            biggestPrepared.packagedFile,
            biggestPrepared.packagedDir,
            withoutNodeOptions,
            1,
            tick,
          )),
        );
      }
    }
    progress.finish();

    const zipCell = (bytes: number): string => `${kib(bytes)}${bytes > TARGET_ZIP_BYTES ? '!' : ''}`;
    const initCell = (ms: number): string => `${formatMs(ms)}${ms > TARGET_INIT_MS ? '!' : ''}`;
    const nodeOptions = template.values().next().value?.environment.NODE_OPTIONS;
    console.log(
      `\nper function: zipped KiB (1 KiB = 1,024 bytes), as packaged (sourcemap: ${JSON.stringify(base.sourcemap ?? false)}) and with any .map deleted; median import time of the bundle ` +
        `in fresh node processes (${runs} as packaged, ${altRuns} SDK external), cwd the unzipped package, environment from the template (NODE_OPTIONS=${nodeOptions ?? '(none)'})`,
    );
    console.log(
      `targets (as packaged): zip ≤ 300 KiB, init ≤ ${TARGET_INIT_MS} ms; '!' marks a value over its target, in any column\n`,
    );
    console.log(
      formatTable<SizeRow>(
        [
          { header: 'function', cell: (r) => r.name },
          { header: 'zip KiB', cell: (r) => zipCell(r.packaged.zipBytes), align: 'right' },
          { header: 'without .map', cell: (r) => zipCell(r.packaged.zipBytesWithoutMap), align: 'right' },
          { header: 'init ms', cell: (r) => initCell(r.packaged.initMs), align: 'right' },
          { header: '│ SDK external: zip KiB', cell: (r) => zipCell(r.sdkExternal.zipBytes), align: 'right' },
          { header: 'without .map', cell: (r) => zipCell(r.sdkExternal.zipBytesWithoutMap), align: 'right' },
          { header: 'init ms', cell: (r) => initCell(r.sdkExternal.initMs), align: 'right' },
          { header: 'result (as packaged)', cell: (r) => (r.pass ? 'PASS' : `FAIL (${r.missed.join('; ')})`) },
        ],
        rows,
      ),
    );

    const withMaps = summarize(sourceMaps.withMs).p50;
    const withoutMaps = summarize(sourceMaps.withoutMs).p50;
    console.log(
      `\n--enable-source-maps on ${sourceMaps.function} (${kib(biggest?.packaged.mapBytes ?? 0)} KiB map), paired, ${sourceMapRuns} each: ` +
        `init ${formatMs(withMaps)} ms with, ${formatMs(withoutMaps)} ms without (median)`,
    );
    // What the biggest bundle is made of, in both variants: where the bytes (and the parse time) come from.
    const composition: Record<string, Array<{ name: string; bytes: number }>> = {};
    if (biggest) {
      for (const variant of ['bundled', 'sdkExternal'] as const) {
        const metafile = built.value[variant].get(biggest.name)?.metafile;
        if (!metafile) continue;
        const parts = bytesByPackage(metafile);
        composition[variant] = parts;
        const total = parts.reduce((sum, p) => sum + p.bytes, 0);
        console.log(
          `\n${biggest.name}, ${variant === 'bundled' ? 'SDK bundled' : 'SDK external'} (${kib(total)} KiB minified): ` +
            parts
              .slice(0, 10)
              .map((p) => `${p.name} ${kib(p.bytes)}`)
              .join(', '),
        );
      }
    }
    const reproduced = rows.filter((r) => r.reproduced).length;
    console.log(
      `\nesbuild with serverless.yml's options (${JSON.stringify({ ...base, banner: base.banner ? '…' : undefined })}) reproduced ${reproduced}/${rows.length} packaged bundles byte for byte`,
    );
    const sum = (pick: (r: SizeRow) => number): number => rows.reduce((total, r) => total + pick(r), 0);
    const medianOf = (pick: (r: SizeRow) => number): number => summarize(rows.map(pick)).p50;
    console.log(
      `all functions: as packaged ${kib(sum((r) => r.packaged.zipBytes))} KiB (${kib(sum((r) => r.packaged.zipBytesWithoutMap))} without maps), median init ${formatMs(medianOf((r) => r.packaged.initMs))} ms; ` +
        `SDK external ${kib(sum((r) => r.sdkExternal.zipBytes))} KiB (${kib(sum((r) => r.sdkExternal.zipBytesWithoutMap))}), median init ${formatMs(medianOf((r) => r.sdkExternal.initMs))} ms`,
    );
    console.log(
      `machine load average (1 min) at the end: ${loadavg()[0]?.toFixed(2)} on ${cpus().length} cores; other work on the box inflates init times`,
    );

    const passed = rows.every((r) => r.pass);
    console.log(
      `\noverall: ${passed ? 'PASS' : 'FAIL'} (${rows.filter((r) => r.pass).length}/${rows.length} functions met both targets as packaged)`,
    );
    const file = writeResult('size', {
      passed,
      targets: { zipBytes: TARGET_ZIP_BYTES, initMs: TARGET_INIT_MS },
      settings: { runs, altRuns, esbuild: { ...base, banner: base.banner }, nodeOptions },
      sourceMaps: { ...sourceMaps, withMedianMs: round(withMaps), withoutMedianMs: round(withoutMaps) },
      loadAverage: loadavg(),
      packageMs: Math.round(packaged.ms),
      buildMs: Math.round(built.ms),
      rows,
      composition: biggest ? { function: biggest.name, ...composition } : {},
      totalMs: Math.round(now() - scenarioStart),
    });
    console.log(`results: ${file}; scenario took ${formatDuration(now() - scenarioStart)}`);
    return { passed };
  } finally {
    if (keep) console.log(`work kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
};
