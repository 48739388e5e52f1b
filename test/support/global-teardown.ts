import { rmSync } from 'node:fs';
import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__CONVOCA_TEST_PG__;
  if (!state) return;
  try {
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
  } finally {
    // The run's folder: the embedded server's data (about 70 MB, left in the temporary folder by every run until now) and the shared OpenAPI document.
    rmSync(state.root, { recursive: true, force: true });
  }
}
