/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  // Type-checking is done once by `tsc --noEmit` (isolatedModules => transpile only here).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // The slow files first, also on a fresh clone (no cached timings).
  testSequencer: '<rootDir>/test/support/sequencer.ts',
  maxWorkers: 2,
  testTimeout: 60000,
  slowTestThreshold: 15,
};
