import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__CONVOCA_TEST_PG__;
  if (!state) return;
  rmSync(join(state.root, 'openapi.json'), { force: true });
  if (state.embedded) {
    await state.embedded.stop();
    return;
  }
  // An external server outlives the run: leave nothing behind on it.
  const admin = new Client({ connectionString: state.adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${state.template} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
