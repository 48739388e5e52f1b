import { conditionChangeError, pactTransitionError } from './pact-workflow';

describe('pact workflow', () => {
  it('goes draft → negotiating → agreed | rejected, then agreed → fulfilled | broken', () => {
    expect(pactTransitionError('draft', 'negotiating')).toBeNull();
    expect(pactTransitionError('negotiating', 'rejected')).toBeNull();
    expect(pactTransitionError('agreed', 'broken')).toBeNull();
    expect(pactTransitionError('draft', 'agreed')).toBe('A pact cannot go from draft to agreed; from draft it can become negotiating.');
    expect(pactTransitionError('rejected', 'negotiating')).toBe('A pact cannot go from rejected to negotiating: rejected is final.');
  });

  it('lets conditions be negotiated while the pact is, and kept or breached once agreed', () => {
    const code = (...args: Parameters<typeof conditionChangeError>) => conditionChangeError(...args)?.code ?? 'ok';
    // prettier-ignore
    const table: [Parameters<typeof conditionChangeError>, string][] = [
      [['draft', null, 'pending'], 'ok'],
      [['negotiating', null, 'accepted'], 'ok'],
      [['negotiating', 'accepted', 'rejected'], 'ok'],
      [['negotiating', 'rejected', 'pending'], 'ok'],
      [['negotiating', 'accepted', 'breached'], 'invalid-transition'],
      [['agreed', null, 'pending'], 'pact-agreed'],
      [['agreed', 'accepted', 'fulfilled'], 'ok'],
      [['agreed', 'accepted', 'breached'], 'ok'],
      [['agreed', 'pending', 'breached'], 'invalid-transition'],
      [['agreed', 'pending', 'accepted'], 'invalid-transition'],
      [['agreed', 'pending', 'pending'], 'ok'], // a note only
      [['agreed', 'fulfilled', 'breached'], 'invalid-transition'],
      [['broken', 'breached', 'breached'], 'pact-closed'],
      [['rejected', 'pending', 'pending'], 'pact-closed'],
    ];
    expect(table.map(([args]) => [args, code(...args)])).toEqual(table);
  });
});
