import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..');
const run = promisify(execFile);

/** A tiny source tree laid out as src/ is, cruised with the project's own rules (.dependency-cruiser.cjs). */
async function violationsOf(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'convoca-deps-'));
  try {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'es2022', strict: true } }));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const out = await run(
      process.execPath,
      [join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs'), 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
      {
        cwd: dir,
      },
    ).catch((err: { stdout: string }) => err);
    const result = JSON.parse(out.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
    return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The dependency rule (issue 19) is what `npm run lint:deps` checks on src/
 * in `npm test`. Here it is shown to catch what it exists for, on a source
 * tree made for the purpose.
 */
describe('the dependency rule', () => {
  it("refuses a feature reaching into another feature's repository, and allows its own", async () => {
    const violations = await violationsOf({
      'src/events/signups.repository.ts': 'export class SignupsRepository {}\n',
      'src/members/members.repository.ts': 'export class MembersRepository {}\n',
      'src/members/members.service.ts':
        "import { SignupsRepository } from '../events/signups.repository';\nimport { MembersRepository } from './members.repository';\nexport const uses = [SignupsRepository, MembersRepository];\n",
    });
    expect(violations).toEqual(['foreign-repository: src/members/members.service.ts -> src/events/signups.repository.ts']);
  });

  it("refuses another module's entity as a value, and allows it as a type", async () => {
    const violations = await violationsOf({
      'src/organisations/organisation.entity.ts': 'export class Organisation { id = "" }\n',
      'src/pacts/pacts.service.ts': "import { Organisation } from '../organisations/organisation.entity';\nexport const table = Organisation;\n",
      'src/demands/demands.service.ts': "import type { Organisation } from '../organisations/organisation.entity';\nexport type Owner = Organisation;\n",
    });
    expect(violations).toEqual(['foreign-entity: src/pacts/pacts.service.ts -> src/organisations/organisation.entity.ts']);
  });

  it('refuses a lower layer importing a feature, and common/ importing access/', async () => {
    const violations = await violationsOf({
      'src/events/events.service.ts': 'export class EventsService {}\n',
      'src/access/permissions.ts': 'export const PERMISSIONS = [];\n',
      'src/audit/audit.service.ts': "import { EventsService } from '../events/events.service';\nexport const x = EventsService;\n",
      'src/common/problem.ts': "import { PERMISSIONS } from '../access/permissions';\nexport const y = PERMISSIONS;\n",
    });
    expect(violations).toEqual([
      'common-imports-access: src/common/problem.ts -> src/access/permissions.ts',
      'lower-layer-imports-feature: src/audit/audit.service.ts -> src/events/events.service.ts',
    ]);
  });
});
