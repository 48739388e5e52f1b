import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { PERMISSIONS, roleGrants, SCOPED_ROLES } from './permissions';

describe('README permission model', () => {
  it('shows, for every permission, exactly the roles the permission table grants it to', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('## Permission model');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const header = /^\| permission \| (.*) \| covers \|$/m.exec(section);
    expect(header?.[1]).toBe(SCOPED_ROLES.map((r) => `\`${r}\``).join(' | '));
    const rows = new Map([...section.matchAll(/^\| `([a-z.]+)` \|(.*)\|$/gm)].map((m) => [m[1], m[2].split('|').map((c) => c.trim())]));
    expect([...rows.keys()]).toEqual([...PERMISSIONS]);
    for (const permission of PERMISSIONS) {
      const marks = rows.get(permission)!.slice(0, SCOPED_ROLES.length);
      expect({ permission, marks }).toEqual({ permission, marks: SCOPED_ROLES.map((role) => (roleGrants(role, permission) ? '✓' : '')) });
    }
  });
});
