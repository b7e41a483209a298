// Machine-readable results, one file per scenario, so runs can be compared over time or across machines.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

export interface MachineInfo {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
}

export const machineInfo = (): MachineInfo => {
  const list = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
};

/** Writes bench/results/<scenario>.json (creating the directory) and returns its path relative to the cwd. */
export const writeResult = (scenario: string, result: Record<string, unknown>): string => {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${scenario}.json`);
  const document = { scenario, finishedAt: new Date().toISOString(), machine: machineInfo(), ...result };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return relative(process.cwd(), file) || file;
};
