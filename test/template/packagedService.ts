// Packages the service the way a deploy would (`serverless package`: offline, no credentials) and reads what it
// wrote under .serverless/: the CloudFormation template and the functions' zips.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../local/serverlessConfig.js';
import type { CfnTemplate, Json } from './cloudFormation.js';

export const PACKAGE_DIR = join(projectRoot, '.serverless');
export const TEMPLATE_PATH = join(PACKAGE_DIR, 'cloudformation-template-update-stack.json');

const serverlessCli = createRequire(import.meta.url).resolve('osls/bin/serverless.js');

export const packageService = async (): Promise<CfnTemplate> => {
  // Jest's NODE_OPTIONS (--experimental-vm-modules) is for the test process, not for the CLI.
  const { NODE_OPTIONS: _jestOnly, ...env } = process.env;
  await promisify(execFile)(process.execPath, [serverlessCli, 'package'], {
    cwd: projectRoot,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(readFileSync(TEMPLATE_PATH, 'utf8')) as CfnTemplate;
};

export interface PackagedFunction {
  logicalId: string;
  zipPath: string;
  environment: Record<string, Json>;
}

/** Every Lambda function of the template with the zip its Code points at (individually packaged, one zip each). */
export const packagedFunctions = (template: CfnTemplate): PackagedFunction[] =>
  Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => {
      const code = r.Properties?.Code as { S3Key?: string } | undefined;
      if (typeof code?.S3Key !== 'string') throw new Error(`${logicalId} has no Code.S3Key`);
      const variables = (r.Properties?.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables;
      return { logicalId, zipPath: join(PACKAGE_DIR, basename(code.S3Key)), environment: variables ?? {} };
    });

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;

/** The names of the entries of a zip file, read from its central directory (no ZIP64: the zips are small). */
export const zipEntryNames = (zipPath: string): string[] => {
  const zip = readFileSync(zipPath);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) end -= 1;
  if (end < 0) throw new Error(`${zipPath}: no end of central directory, not a zip`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new Error(`${zipPath}: ZIP64 is not supported here`);
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    if (zip.readUInt32LE(offset) !== CENTRAL_DIRECTORY_ENTRY) throw new Error(`${zipPath}: bad central directory`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
};
