// The pages' browser scripts are built ahead of time (scripts/build-web.ts) into a module the functions import.
// These cases prove that the committed module is exactly what the current browser sources give, and that the build
// is deterministic and safe to put inside a <script> element.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { browserBundles } from '../../../functions/pages/browserBundles.generated.js';
import {
  BUNDLES_PATH,
  browserBundlesModule,
  browserEntryPoints,
  bundlePage,
  projectRoot,
} from '../../../scripts/build-web.js';

describe('browser bundles', () => {
  it('are what the current web/ sources give (run `npm run build:web` after changing them)', async () => {
    // Act
    const expected = await browserBundlesModule();
    const committed = readFileSync(join(projectRoot, BUNDLES_PATH), 'utf8');
    const built = Object.fromEntries(
      await Promise.all(browserEntryPoints().map(async (page) => [page, await bundlePage(page)] as const)),
    );
    const stalePages = Object.keys(built).filter(
      (page) => (browserBundles as Readonly<Record<string, string>>)[page] !== built[page],
    );
    // Assess: a difference means a browser module changed without `npm run build:web`. The stale pages by name
    // first, since a diff of minified bundles says little.
    expect(stalePages).toEqual([]);
    expect({ [BUNDLES_PATH]: committed === expected ? 'up to date' : 'stale' }).toEqual({
      [BUNDLES_PATH]: 'up to date',
    });
  });

  it('have one bundle per entry point directly in web/, the audit and access pages among them', () => {
    // Act
    const pages = browserEntryPoints();
    // Assess
    expect(pages).toEqual(expect.arrayContaining(['access', 'audit']));
    expect(Object.keys(browserBundles).sort()).toEqual(pages);
  });

  it('build the same text twice, as an ASCII IIFE that cannot end or open a script element', async () => {
    // Act
    const [first, second] = await Promise.all([bundlePage('audit'), bundlePage('audit')]);
    // Assess
    expect(first).toBe(second);
    expect(first).toMatch(/^"use strict";\(\(\)=>\{/);
    expect(first).toMatch(/^[\x20-\x7e\n]*$/);
    expect(first).not.toMatch(/<\/script|<!--|<script/i);
  });
});
