import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CONFIG_VARIABLES } from './config';

describe('README configuration table', () => {
  it('documents every variable the service reads', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]));
    expect(CONFIG_VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });
});
