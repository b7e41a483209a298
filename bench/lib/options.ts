// Command-line options shared by the scenarios: `--name value` or `--name=value`, with an env fallback.

export const optionValue = (args: readonly string[], name: string): string | undefined => {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === `--${name}`) return args[i + 1];
    if (arg?.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
};

/** A positive integer option; the flag wins over the environment variable, which wins over the default. */
export const intOption = (args: readonly string[], name: string, envName: string, fallback: number): number => {
  const raw = optionValue(args, name) ?? process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  // Underscores allowed so 100_000 can be typed as it reads.
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name} (or ${envName}) must be a positive integer, got "${raw}"`);
  return value;
};
