import { SqlParams } from './sql';

describe('SqlParams', () => {
  it('numbers each value it is given, in order, and never puts a value in the text', () => {
    const p = new SqlParams();
    const where = [`status = ${p.add('published')}`, `host = ANY(${p.add(["x'); DROP TABLE events; --"])}::uuid[])`];
    expect(where.join(' AND ')).toBe('status = $1 AND host = ANY($2::uuid[])');
    expect(p.values).toEqual(['published', ["x'); DROP TABLE events; --"]]);
  });
});
