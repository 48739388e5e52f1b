import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

type Manifest = { engines: { node: string }; devEngines: { runtime: { name: string; version: string; onFail: string } } };
const manifest = JSON.parse(read('package.json')) as Manifest;

/** `>=26.12` → [26, 12, 0]: the one form the project uses for its Node range. */
function lowerBound(range: string): number[] {
  const match = /^>=(\d+)\.(\d+)(?:\.(\d+))?$/.exec(range);
  if (!match) throw new Error(`not a ">=major.minor[.patch]" range: ${range}`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}
const atLeast = (version: number[], floor: number[]): boolean => {
  for (let i = 0; i < 3; i++) if (version[i] !== floor[i]) return version[i] > floor[i];
  return true;
};

/**
 * Issue 18: Node 26 LTS everywhere. The Docker image cannot be built on the
 * development machines, so its base is checked by reading the Dockerfile; the
 * other places that name the runtime must agree with it and with each other.
 */
describe('the Node 26 runtime', () => {
  it('is the base of every stage of the Docker image', () => {
    const bases = read('docker/Dockerfile')
      .split('\n')
      .filter((line) => /^\s*FROM\s/i.test(line))
      .map((line) => line.trim().split(/\s+/)[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:26(?:[.-]|$)/);
  });

  it('is what engines, devEngines and .nvmrc ask for', () => {
    expect(lowerBound(manifest.engines.node)[0]).toBe(26);
    expect(manifest.devEngines.runtime).toEqual({ name: 'node', version: manifest.engines.node, onFail: 'error' });
    expect(read('.nvmrc').trim()).toBe('26');
  });

  it('is what CI brings when the machine has an older Node, within the declared range', () => {
    const pinned = /^NODE_VERSION=(\d+)\.(\d+)\.(\d+)$/m.exec(read('.ci/run'));
    expect(pinned).not.toBeNull();
    const version = pinned!.slice(1).map(Number);
    expect(version[0]).toBe(26);
    expect(atLeast(version, lowerBound(manifest.engines.node))).toBe(true);
  });

  it('runs this suite', () => {
    expect(atLeast(process.versions.node.split('.').map(Number), lowerBound(manifest.engines.node))).toBe(true);
  });
});
