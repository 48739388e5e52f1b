import { oneQueryAtATime } from './one-query-at-a-time';

describe('oneQueryAtATime', () => {
  it('runs the queries asked for at once one after another, in order, each with its own answer', async () => {
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const runner = {
      query: async (sql: string): Promise<string> => {
        started.push(sql);
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        if (sql === 'bad') throw new Error('bad query');
        return `answer to ${sql}`;
      },
    };
    const serial = oneQueryAtATime(runner);
    const answers = await Promise.allSettled(['a', 'bad', 'c'].map((sql) => serial.query(sql)));
    expect(most).toBe(1);
    expect(started).toEqual(['a', 'bad', 'c']);
    expect(answers).toEqual([
      { status: 'fulfilled', value: 'answer to a' },
      { status: 'rejected', reason: new Error('bad query') },
      { status: 'fulfilled', value: 'answer to c' },
    ]);
  });
});
