// Builds function bundles the way `serverless package` does (serverless-esbuild with custom.esbuild from
// serverless.yml), so a scenario can try an alternative (e.g. the AWS SDK left to the runtime) by changing one
// option and compare like with like. The options are read from serverless.yml, never copied.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { parse } from 'yaml';
import { loadServerlessConfig } from '../../local/serverlessConfig.js';

// serverless-esbuild's own settings, which it deletes before calling esbuild (its bundle.js keeps the same list).
const PLUGIN_ONLY_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'config',
];

type Doc = Record<string, unknown>;
const isDoc = (value: unknown): value is Doc => typeof value === 'object' && value !== null && !Array.isArray(value);

const serverlessDoc = (root: string): Doc => {
  const doc = parse(readFileSync(join(root, 'serverless.yml'), 'utf8')) as unknown;
  if (!isDoc(doc)) throw new Error('serverless.yml: expected an object at the top level');
  return doc;
};

/** custom.esbuild as serverless-esbuild hands it to esbuild: `exclude` becomes `external`, the extension `outExtension`. */
export const serverlessEsbuildOptions = (root: string): BuildOptions => {
  const custom = serverlessDoc(root).custom;
  const raw = isDoc(custom) && isDoc(custom.esbuild) ? custom.esbuild : {};
  const options: Doc = { ...raw };
  for (const key of PLUGIN_ONLY_OPTIONS) delete options[key];
  const strings = (value: unknown): string[] =>
    Array.isArray(value)
      ? value.filter((v): v is string => typeof v === 'string')
      : typeof value === 'string'
        ? [value]
        : [];
  // The plugin's defaults, for whatever serverless.yml leaves unset.
  const exclude = raw.exclude === undefined ? ['aws-sdk'] : strings(raw.exclude);
  const extension = typeof raw.outputFileExtension === 'string' ? raw.outputFileExtension : '.js';
  return {
    bundle: true,
    platform: 'node',
    ...(options as BuildOptions),
    external: [...strings(raw.external), ...(exclude.includes('*') ? [] : exclude)],
    ...(extension !== '.js' ? { outExtension: { '.js': extension } } : {}),
  };
};

/** provider.environment values that are plain strings (Refs and variables are resolved only at deploy time). */
export const providerLiteralEnvironment = (root: string): Record<string, string> => {
  const provider = serverlessDoc(root).provider;
  const environment = isDoc(provider) && isDoc(provider.environment) ? provider.environment : {};
  return Object.fromEntries(
    Object.entries(environment).filter((e): e is [string, string] => typeof e[1] === 'string' && !e[1].includes('${')),
  );
};

/** Each function's name and its handler module's TypeScript entry, as serverless-esbuild resolves them. */
export const functionEntries = (root: string): Array<{ name: string; entry: string; modulePath: string }> =>
  loadServerlessConfig(root).functions.map((fn) => ({
    name: fn.name,
    entry: `${fn.modulePath}.ts`,
    modulePath: fn.modulePath,
  }));

export interface BundleResult {
  /** The bundle, e.g. <outRoot>/functions/submit.mjs. */
  file: string;
  /** Its source map, when the options write one to a file. */
  mapFile?: string;
  metafile: Metafile;
}

/**
 * Bundles one function into `<outRoot>/<dir of the entry>/`, the layout serverless-esbuild gives the zip. `overrides`
 * replaces options (e.g. `external`), nothing else changes.
 */
export const bundleFunction = async (
  root: string,
  entry: string,
  outRoot: string,
  overrides: BuildOptions = {},
): Promise<BundleResult> => {
  const options: BuildOptions = { ...serverlessEsbuildOptions(root), ...overrides };
  const slash = entry.lastIndexOf('/');
  const outdir = join(outRoot, entry.slice(0, Math.max(0, slash)));
  const result = await build({
    ...options,
    absWorkingDir: root,
    entryPoints: [entry],
    outdir,
    metafile: true,
    logLevel: 'warning',
  });
  const file = join(
    outdir,
    `${entry.slice(slash + 1).replace(/\.[cm]?tsx?$/, '')}${options.outExtension?.['.js'] ?? '.js'}`,
  );
  const writesMap =
    options.sourcemap === true ||
    options.sourcemap === 'linked' ||
    options.sourcemap === 'external' ||
    options.sourcemap === 'both';
  return { file, ...(writesMap ? { mapFile: `${file}.map` } : {}), metafile: result.metafile };
};

/** Output bytes grouped by npm package (or by source folder for our own code), largest first. */
export const bytesByPackage = (metafile: Metafile): Array<{ name: string; bytes: number }> => {
  const totals = new Map<string, number>();
  for (const [output, info] of Object.entries(metafile.outputs)) {
    if (output.endsWith('.map')) continue;
    for (const [input, { bytesInOutput }] of Object.entries(info.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      const name = pkg ?? input.split('/').slice(0, 2).join('/');
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
};
