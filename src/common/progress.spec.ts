import { formatCount, Progress } from './progress';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns: 200, write: (text: string) => writes.push(text) } };
}

describe('Progress', () => {
  it('redraws one bar in place on a terminal, and ends its line when finished', () => {
    const { writes, out } = sink(true);
    const p = new Progress(out, 'importing', 200);
    p.update(0);
    p.update(100);
    p.update(200);
    p.finish();
    expect(writes.slice(0, 3).every((w) => w.startsWith('\r'))).toBe(true);
    expect(writes[1]).toContain(`importing [${'#'.repeat(15)}${'-'.repeat(15)}]  50%  100/200 rows`);
    expect(writes[2]).toContain(' 100%  200/200 rows');
    expect(writes[3]).toBe('\n');
  });

  it('writes a plain line per 10 % step elsewhere, never one per update', () => {
    const { writes, out } = sink(false);
    const p = new Progress(out, 'importing', 1000);
    for (let done = 0; done <= 1000; done += 5) p.update(done);
    p.finish();
    expect(writes).toHaveLength(11);
    expect(writes[0]).toMatch(/^importing: 0% \(0\/1 000 rows/);
    expect(writes[10]).toMatch(/^importing: 100% \(1 000\/1 000 rows/);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
  });

  it('groups thousands', () => {
    expect([formatCount(5), formatCount(1234), formatCount(1234567)]).toEqual(['5', '1 234', '1 234 567']);
  });
});
