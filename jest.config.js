// Jest runs TypeScript sources in ESM mode (the Kubernetes client is ESM-only):
// swc strips types (tsc -b type-checks in `npm run build`), and workspace
// packages resolve to their sources through the "nova-source" export condition.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['nova-source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2024' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: ['<rootDir>/packages', '<rootDir>/operator', '<rootDir>/services', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // The test bed runs from its build (npm test builds first): jest's module mapping does not apply to globalSetup.
  globalSetup: '<rootDir>/packages/testbed/dist/jest/global-setup.js',
  globalTeardown: '<rootDir>/packages/testbed/dist/jest/global-teardown.js',
  // Real components are shared by every worker; two workers keep a 2-core machine responsive.
  maxWorkers: 2,
  testTimeout: 120_000,
};
