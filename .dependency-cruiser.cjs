// The dependency rule (issue 19), run by `npm test` (`npm run lint:deps`).
// A module is a folder under src/. The layers:
//   below the features: access/, audit/, common/, config/, database/, domain-events/
//   features: every other folder (events, members, auth, outbox, …)
// The rules keep each feature's storage its own and the lower layers free of features.
const LOWER = '^src/(access|audit|common|config|database|domain-events)/';
const FEATURE = '^src/(?!(access|audit|common|config|database|domain-events)/)[^/]+/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'foreign-repository',
      comment: "A feature never reaches into another module's repository: it asks that module's service.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/.+\\.repository\\.ts$', pathNot: '^src/$1/' },
    },
    {
      name: 'foreign-entity',
      comment:
        "A feature uses another module's entity class as a shape only (`import type`), never as a value (a TypeORM repository or query on another module's table). Entities may name each other for their relations.",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '\\.entity\\.ts$' },
      to: { path: '^src/[^/]+/.+\\.entity\\.ts$', pathNot: '^src/$1/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'lower-layer-imports-feature',
      comment:
        'access/, audit/, common/, config/, database/ and domain-events/ sit below the features and never import one (an entity may still name another for a TypeORM relation: role_assignments reference users, organisations and coalitions).',
      severity: 'error',
      from: { path: LOWER, pathNot: '\\.entity\\.ts$' },
      to: { path: FEATURE },
    },
    {
      name: 'common-imports-access',
      comment: 'common/ is the bottom layer: it never imports access/.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/access/' },
    },
    {
      name: 'no-circular',
      comment: 'Files that import each other in a ring (at run time: a ring of type imports is harmless) are one file in two.',
      severity: 'warn',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
