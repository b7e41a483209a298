/** Jest runs TypeScript through SWC as native ESM (NODE_OPTIONS=--experimental-vm-modules). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFiles: ['<rootDir>/test/setup/polyfills.ts'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Suites share one emulated endpoint per file; running files in sequence keeps a 2-core CI box predictable.
  maxWorkers: 1,
  testTimeout: 60000,
};
