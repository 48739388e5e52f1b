import { relative } from 'node:path';
import type { Test } from '@jest/test-result';
import Sequencer from '@jest/test-sequencer';

/**
 * Seconds each slow file took in a full run on the reference machine (2 cores): the long ones start first, so that
 * neither worker is left with one of them at the end while the other has nothing to do. Jest's own order does this
 * from the timings it caches, but a fresh clone has none and falls back to file size (the bench smoke, a short
 * file, came last). Files not listed count as short; timings jest has cached take precedence. From a fresh-clone run
 * after the move to SWC (3 workers): the files of 3 s and more, so that none of them (first-admin, which waits on
 * three CLI runs, was) starts when the others are nearly done.
 */
const EXPECTED_SECONDS: Record<string, number> = {
  'test/bench.e2e-spec.ts': 17,
  'test/crash.e2e-spec.ts': 13,
  'test/boot.e2e-spec.ts': 13,
  'test/demo.e2e-spec.ts': 11,
  'test/member-import.e2e-spec.ts': 10,
  'test/cli.e2e-spec.ts': 9,
  'test/outbox.e2e-spec.ts': 7,
  'test/scale-out.e2e-spec.ts': 6,
  'test/fuzz.e2e-spec.ts': 7,
  'test/accounts.e2e-spec.ts': 5,
  'test/capacity.e2e-spec.ts': 5,
  'test/members.e2e-spec.ts': 4,
  'test/events.e2e-spec.ts': 4,
  'test/first-admin.e2e-spec.ts': 4,
  'test/events-matrix.e2e-spec.ts': 4,
  'test/access-matrix.e2e-spec.ts': 4,
  'test/log-privacy.e2e-spec.ts': 4,
  'test/event-notices.e2e-spec.ts': 3,
  'test/platform-matrix.e2e-spec.ts': 3,
  'test/members-matrix.e2e-spec.ts': 3,
};

export default class SlowestFirst extends Sequencer {
  override async sort(tests: Test[]): Promise<Test[]> {
    const ordered = await super.sort(tests); // jest's order: failed last time, then slowest (cached timings), then largest
    const expected = (test: Test) => test.duration ?? (EXPECTED_SECONDS[relative(test.context.config.rootDir, test.path)] ?? 0) * 1000;
    return ordered
      .map((test, position) => ({ test, position }))
      .sort((a, b) => expected(b.test) - expected(a.test) || a.position - b.position)
      .map(({ test }) => test);
  }
}
