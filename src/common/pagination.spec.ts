import { decodeCursorAs, encodeCursor } from './pagination';
import { AppError } from './problem';

const UUID = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';

/** The answer every malformed cursor gets, whatever the list: a 400, never a 500 from the database. */
function refused(cursor: string, ...parts: Parameters<typeof decodeCursorAs>[1][]): AppError {
  try {
    decodeCursorAs(cursor, ...parts);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`the cursor ${cursor} was accepted`);
}

describe('decodeCursorAs', () => {
  it('gives back the key of a cursor this API issued, and null without one', () => {
    expect(decodeCursorAs(encodeCursor(['2026-12-04T10:00:00.000Z', UUID]), 'timestamp', 'uuid')).toEqual(['2026-12-04T10:00:00.000Z', UUID]);
    expect(decodeCursorAs(encodeCursor(['42']), 'integer')).toEqual(['42']);
    expect(decodeCursorAs(undefined, 'uuid')).toBeNull();
  });

  it('refuses a cursor whose parts do not have the list’s shapes, before any SQL', () => {
    for (const [key, parts] of [
      [
        ['not-a-date', UUID],
        ['timestamp', 'uuid'],
      ],
      [
        ['2026-12-04T10:00:00.000Z', 'not-a-uuid'],
        ['timestamp', 'uuid'],
      ],
      [['2026-12-04'], ['date', 'uuid']],
      [['-1'], ['integer']],
      [['9223372036854775808'], ['integer']], // one past bigint: would be an out-of-range error in SQL
      [
        [12, 'x'],
        ['string', 'string'],
      ],
    ] as [unknown[], Parameters<typeof decodeCursorAs>[1][]][]) {
      const err = refused(encodeCursor(key), ...parts);
      expect([err.status, err.code]).toEqual([400, 'invalid-cursor']);
    }
    expect(refused('!!not base64!!', 'uuid').code).toBe('invalid-cursor');
  });

  it('accepts the largest bigint key', () => {
    expect(decodeCursorAs(encodeCursor(['9223372036854775807']), 'integer')).toEqual(['9223372036854775807']);
  });
});
