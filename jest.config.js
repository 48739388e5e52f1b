/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  // Type-checking is done once by `tsc --noEmit` (isolatedModules => transpile only here).
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // The slow files first, also on a fresh clone (no cached timings).
  testSequencer: '<rootDir>/test/support/sequencer.ts',
  // Three workers on two cores: the suites that start processes (boot, cli, crash, demo, the bench smoke)
  // spend much of their time waiting for their children, and a third worker fills those waits (about 5 % less wall time here).
  maxWorkers: 3,
  testTimeout: 60000,
  slowTestThreshold: 15,
};
