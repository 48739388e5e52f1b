import { DataSource } from 'typeorm';

import { loadConfig } from '../config/config';
import { dataSourceOptions } from './database-options';
import { startEmbeddedPostgres } from './embedded-postgres';
import { provideMigrationKeys } from './migrations';
import { schemaReadsOneQueryAtATime } from './one-query-at-a-time';

/**
 * Entry point for the TypeORM CLI (`npm run migration:generate|run|revert`).
 * With DATABASE_URL it uses that server; without it, it starts the embedded
 * server in CONVOCA_DATA_DIR (the application must not be running on it) and
 * stops it when the CLI exits.
 */
async function create(): Promise<DataSource> {
  const config = loadConfig(process.env);
  // `migration:run` applies them through TypeORM itself: the data migrations' keys, from the configuration.
  provideMigrationKeys({ jwtSecret: config.jwtSecret });
  let url = config.databaseUrl;
  if (!url) {
    const pg = await startEmbeddedPostgres({ dataDir: `${config.dataDir}/pgdata`, port: config.embeddedPgPort, sharedBuffersMb: config.embeddedPgSharedBuffersMb });
    url = pg.url;
    // The CLI ends with process.exit(); an async stop cannot run there, so ask
    // the postmaster for a fast shutdown synchronously instead.
    process.once('exit', () => void pg.stop());
  }
  // migration:generate reads the schema: one query at a time on its connection.
  return schemaReadsOneQueryAtATime(new DataSource(dataSourceOptions(url, config)));
}

export default create();
