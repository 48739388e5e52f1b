import { bindNamed, SqlParams } from './sql';

describe('bindNamed', () => {
  it('turns named parameters into positional ones after those already bound, leaving casts alone', () => {
    const p = new SqlParams();
    p.add('published');
    const sql = bindNamed(`e.host = ANY(:orgs::uuid[]) OR e.owner = ANY(:orgs) OR e.member = :member AND e.at > '10:00'::time`, { orgs: ['a', 'b'], member: 'm' }, p);
    expect(sql).toBe(`e.host = ANY($2::uuid[]) OR e.owner = ANY($2) OR e.member = $3 AND e.at > '10:00'::time`);
    expect(p.values).toEqual(['published', ['a', 'b'], 'm']);
  });

  it('refuses a fragment naming a parameter it was not given', () => {
    expect(() => bindNamed('e.id = :id', {}, new SqlParams())).toThrow(':id');
  });
});
