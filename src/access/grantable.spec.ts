import { GRANTABLE, ROLE_PERMISSIONS, ROLE_SCOPE, roleGrants, SCOPED_ROLES } from './permissions';

describe('GRANTABLE: the roles a holder may grant', () => {
  it('are never wider than the holder’s own role, and held in the same kind of scope', () => {
    for (const holder of SCOPED_ROLES) {
      for (const granted of GRANTABLE[holder]) {
        expect({ holder, granted, scope: ROLE_SCOPE[granted] }).toEqual({ holder, granted, scope: ROLE_SCOPE[holder] });
        const wider = ROLE_PERMISSIONS[granted].filter((p) => !roleGrants(holder, p));
        expect({ holder, granted, wider }).toEqual({ holder, granted, wider: [] });
      }
    }
  });

  it('are granted only by roles that hold role.grant', () => {
    for (const holder of SCOPED_ROLES) if (GRANTABLE[holder].length > 0) expect(roleGrants(holder, 'role.grant')).toBe(true);
  });
});
