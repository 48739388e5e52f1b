// @ts-check
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Calls that reach the database: only repositories make them (issue 19). */
const DB_CALLS = '/^(query|createQueryBuilder|getRepository|transaction|findOne|findOneBy|findOneOrFail|findOneByOrFail|findBy|findAndCount|save|increment|decrement|upsert|softDelete)$/';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.convoca/**', 'jest.config.js', 'eslint.config.mjs', 'scripts/**', 'src/pages/static/**'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Issue 19: only repositories talk to the database (and access/'s read-only scope
    // queries, the database module, migrations). Services open transactions through
    // `Transactions` and pass them on; see docs/ARCHITECTURE.md.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    // Exceptions: access/'s scope queries, the SQL helpers repositories use (common/sql.ts), and the composition root (app.ts runs the migrations at start).
    ignores: ['src/**/*.repository.ts', 'src/database/**', 'src/access/access.service.ts', 'src/common/sql.ts', 'src/app.ts', 'src/**/*.module.ts', 'src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@nestjs/typeorm', message: 'Only repositories and the database module use TypeORM directly: inject a repository, or Transactions.' }] }],
      'no-restricted-syntax': [
        'error',
        // On a connection, a transaction or an entity manager (`tx.query`, `em.save`, `this.db.getRepository`, `this.db.manager.findOne`);
        // a repository's own methods (`this.members.save(tx, …)`) are what services are meant to call.
        {
          selector: `CallExpression[callee.property.name=${DB_CALLS}][callee.object.type='Identifier']`,
          message: 'SQL and TypeORM calls live in repositories (docs/ARCHITECTURE.md): move this into the module’s *.repository.ts.',
        },
        {
          selector: `CallExpression[callee.property.name=${DB_CALLS}][callee.object.property.name=/^(db|dataSource|manager|connection)$/]`,
          message: 'SQL and TypeORM calls live in repositories (docs/ARCHITECTURE.md): move this into the module’s *.repository.ts.',
        },
      ],
    },
  },
  {
    // Tests poke at untyped JSON bodies (supertest's `any`) on purpose.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
