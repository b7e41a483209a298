// The README is the map people read first; these checks keep it from drifting from the tree, from
// serverless.yml's functions and from the table's indexes, which is how it drifted before.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadServerlessConfig, projectRoot } from '../../../local/serverlessConfig.js';

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');

/** The rows of the markdown table that follows a heading, as arrays of trimmed cells. */
const tableAfter = (heading: string): string[][] => {
  const start = readme.indexOf(heading);
  if (start < 0) throw new Error(`README has no heading ${heading}`);
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows.slice(2);
};

const codeSpans = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');

describe('README layout table', () => {
  const rows = tableAfter('### Layout');
  const paths = rows.map((row) => codeSpans(row[0] ?? '')[0] ?? '');

  it('names only paths that exist', () => {
    // Prepare
    const concrete = paths.filter((p) => !p.includes('*'));
    // Act
    const missing = concrete.filter((p) => !existsSync(join(projectRoot, p)));
    // Assess
    expect(missing).toEqual([]);
  });

  it('covers every top-level folder and every domain folder under functions/', () => {
    // Prepare
    const listed = new Set(paths.map((p) => p.replace(/\/$/, '')));
    const folders = (dir: string): string[] =>
      readdirSync(join(projectRoot, dir))
        .filter((name) => !name.startsWith('.') && name !== 'node_modules')
        .filter((name) => statSync(join(projectRoot, dir, name)).isDirectory())
        .map((name) => (dir === '.' ? name : `${dir}/${name}`));
    const ignored = new Set(['.git', 'node_modules', 'coverage']);
    // Act
    const unlisted = [...folders('.'), ...folders('functions')].filter(
      (folder) => !ignored.has(folder) && !listed.has(folder) && !paths.some((p) => p.startsWith(`${folder}/`)),
    );
    // Assess
    expect(unlisted).toEqual([]);
  });

  it('lists exactly the handlers that serverless.yml deploys', () => {
    // Prepare
    const handlersRow = rows.find((row) => (row[0] ?? '').includes('functions/*.ts'));
    const deployed = loadServerlessConfig().functions.map((fn) => fn.modulePath.replace(/^functions\//, ''));
    // Act
    const listed = codeSpans(handlersRow?.[1] ?? '');
    // Assess
    expect([...listed].sort()).toEqual([...deployed].sort());
  });
});

describe('README data table', () => {
  it('lists exactly the indexes the table defines', () => {
    // Prepare
    const defined = (loadServerlessConfig().table.properties.GlobalSecondaryIndexes ?? []).map((gsi) => gsi.IndexName);
    // Act
    const listed = tableAfter('### Data')
      .map((row) => codeSpans(row[1] ?? '')[0])
      .filter((name): name is string => name !== undefined);
    // Assess
    expect([...listed].sort()).toEqual([...defined].sort());
  });
});
