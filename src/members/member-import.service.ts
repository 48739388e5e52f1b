import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CsvError, parse, type Info, type Parser } from 'csv-parse';
import type { FastifyRequest } from 'fastify';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { PeriodicTask } from '../common/periodic-task';
import { AppError, badRequest, conflict, forbidden, notFound } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import type { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { detectDelimiter, HeaderError, mapHeader, parseRecord, type ImportColumn, type ImportRow } from './member-csv';
import { MAX_STORED_ERRORS, type ImportRowError, type ImportState, type MemberImport } from './member-import.entity';
import { MemberImportsRepository } from './member-imports.repository';
import { MembersService } from './members.service';
import { importView, type ImportAccepted, type ImportView } from './members.views';

/** Rows per batch: each batch is one transaction and one set-based statement. */
export const IMPORT_BATCH_ROWS = 5000;
/** The smallest batch used to show finer progress. */
const MIN_BATCH_ROWS = 500;
/** Stored pieces of the uploaded file. */
const CHUNK_BYTES = 1024 * 1024;
/** A CSV record larger than this is refused (csv-parse `max_record_size`). */
const MAX_RECORD_BYTES = 64 * 1024;
/** Imports creating at least this many memberships refresh the planner statistics when they complete. */
const ANALYZE_AFTER_ROWS = 10_000;

const parserOptions = (delimiter: string) => ({
  bom: true,
  delimiter,
  relax_column_count: true,
  skip_empty_lines: true,
  skip_records_with_empty_values: true,
  max_record_size: MAX_RECORD_BYTES,
  info: true as const,
});

type ParsedRecord = { record: string[]; info: Info };

/** The file of an import, as it arrives. */
export interface ImportSource {
  filename: string | null;
  content: AsyncIterable<Buffer>;
  /** True when the content was cut at the size limit (multipart uploads). */
  truncated?: () => boolean;
}

/** A CSV syntax error in words, with its line: never the offending text. */
function describeCsvError(err: CsvError): { line: number | null; message: string } {
  const line = typeof err.lines === 'number' ? err.lines : null;
  const what: Partial<Record<string, string>> = {
    CSV_MAX_RECORD_SIZE: `a record is larger than ${MAX_RECORD_BYTES / 1024} KiB (an unclosed quote?)`,
    CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
    CSV_INVALID_CLOSING_QUOTE: 'a quote inside a field is not doubled',
    INVALID_OPENING_QUOTE: 'a quote appears in the middle of an unquoted field',
    CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text follows a closing quote',
  };
  return { line, message: what[err.code] ?? 'the file is not valid CSV' };
}

/** Reads a CSV stream once as it arrives: the header, the number of data rows, and the first syntax error. */
class CsvScan {
  header: string[] | null = null;
  rows = 0;
  error: Error | null = null;
  private parser: Parser | null = null;
  private done: Promise<void> = Promise.resolve();

  write(chunk: Buffer): void {
    if (this.error) return;
    if (!this.parser) {
      const parser = parse(parserOptions(detectDelimiter(chunk)));
      parser.on('data', (r: ParsedRecord) => {
        if (this.header) this.rows++;
        else this.header = r.record;
      });
      this.done = new Promise((resolve) => {
        parser.on('end', resolve);
        parser.on('error', (err: Error) => {
          this.error = err;
          resolve();
        });
      });
      this.parser = parser;
    }
    this.parser.write(chunk);
  }

  async end(): Promise<void> {
    if (this.parser && !this.error) this.parser.end();
    await this.done;
  }
}

class Superseded extends Error {}
class Stopping extends Error {}

interface Batch {
  rows: ImportRow[];
  errors: ImportRowError[];
  read: number;
  failed: number;
  firstLine: number;
  lastLine: number;
}
const newBatch = (): Batch => ({ rows: [], errors: [], read: 0, failed: 0, firstLine: 0, lastLine: 0 });

/**
 * CSV member imports. The upload is read once as it streams in (size limit,
 * CSV syntax, header) and stored in PostgreSQL in 1 MiB pieces inside one
 * transaction, so a refused upload leaves nothing; then it is processed in
 * the background, batch by batch: each batch is validated row by row and
 * upserted by e-mail with one set-based statement, in a transaction that
 * also advances the import's counters and resume point. A run that dies
 * leaves whole batches only, and a retry resumes after the last one.
 */
@Injectable()
export class MemberImportService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MemberImport');
  private readonly running = new Set<Promise<void>>();
  /** Imports this process is running (or about to): never presumed dead by its own recovery. */
  private readonly mine = new Set<string>();
  private stopping = false;
  private readonly recovery: PeriodicTask;

  constructor(
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly imports: MemberImportsRepository,
    private readonly changes: DomainEvents,
    private readonly organisations: OrganisationsService,
    private readonly members: MembersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.recovery = new PeriodicTask(this.logger, Math.max(500, (config.importStaleSeconds * 1000) / 2), () => this.recover());
  }

  /** At boot and then every IMPORT_STALE_SECONDS / 2: no import stays stuck after a crash. */
  onApplicationBootstrap(): void {
    this.recovery.start();
  }

  /**
   * Imports left queued by a stopped process, or running in one that died
   * (no heartbeat for IMPORT_STALE_SECONDS), are picked up again; of several
   * processes, the claim in `run` lets one win.
   */
  async recover(): Promise<void> {
    await this.imports.requeueStale(this.transactions.auto, this.config.importStaleSeconds, [...this.mine]);
    for (const id of await this.imports.queuedIds(this.transactions.auto)) if (!this.mine.has(id)) this.schedule(id);
  }

  /** Shutdown: runners stop after their current batch and hand the import back (queued). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.recovery.stop();
    await Promise.allSettled([...this.running]);
  }

  // ---------------------------------------------------------------- upload

  async upload(caller: Caller, orgIdOrSlug: string, request: FastifyRequest): Promise<ImportAccepted> {
    const org = await this.organisations.get(orgIdOrSlug);
    if (!(await this.access.canOnOrganisation(caller, 'member.import', org.id))) throw forbidden('You may not import members into this organisation.');
    await this.members.organisationFor(this.transactions.auto, org.id);
    if (!request.isMultipart()) throw new AppError(415, 'unsupported-media-type', 'Send the CSV file as multipart/form-data, in a part named "file".');
    const file = await request.file();
    if (!file) throw badRequest('no-file', 'The request has no file.', [{ field: 'file', message: 'a CSV file is required' }]);
    return this.accept(caller, org, { filename: file.filename || null, content: file.file as AsyncIterable<Buffer>, truncated: () => file.file.truncated });
  }

  /**
   * Checks, stores and schedules an import of `source` into `org`, for a
   * caller already allowed to import there (the upload route, or an operator
   * at the command line). Refused whole (400/413) when the file is wrong.
   */
  async accept(caller: Caller, org: Organisation, source: ImportSource, options: { progressSteps?: number } = {}): Promise<ImportAccepted> {
    await this.members.organisationFor(this.transactions.auto, org.id);
    // The upload is first spooled to a private temporary file while it is scanned, so that no
    // database connection waits on a slow client; only a file that passed every check is stored.
    const id = randomUUID();
    const dir = join(this.config.dataDir, 'imports');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const spool = join(dir, `${id}.upload`);
    const scan = new CsvScan();
    let bytes = 0;
    let accepted: ImportAccepted;
    let out: WriteStream | undefined;
    try {
      out = createWriteStream(spool, { mode: 0o600 });
      for await (const chunk of source.content) {
        bytes += chunk.length;
        scan.write(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await finished(out);
      // The file stream ends early, marked truncated, at the size limit: refuse it whole.
      if (source.truncated?.()) throw new AppError(413, 'payload-too-large', 'The file is larger than this server accepts for an import (IMPORT_MAX_BYTES).');
      await scan.end();
      if (scan.error) {
        if (scan.error instanceof CsvError) {
          const { line, message } = describeCsvError(scan.error);
          throw badRequest('invalid-csv', `The file is not valid CSV${line ? ` at line ${line}` : ''}: ${message}.`, [{ field: 'file', message: line ? `line ${line}: ${message}` : message }]);
        }
        throw badRequest('invalid-csv', 'The file could not be read as CSV.', [{ field: 'file', message: 'unreadable' }]);
      }
      if (!scan.header) throw badRequest('empty-file', 'The file is empty.', [{ field: 'file', message: 'no header and no rows' }]);
      try {
        mapHeader(scan.header);
      } catch (err) {
        if (err instanceof HeaderError)
          throw badRequest(
            'invalid-header',
            err.message,
            err.problems.map((message) => ({ field: 'file', message })),
          );
        throw err;
      }
      if (scan.rows === 0) throw badRequest('empty-file', 'The file has a header but no rows.', [{ field: 'file', message: 'no rows' }]);

      accepted = await this.transactions.run(async (tx) => {
        await this.imports.insert(tx, {
          id,
          organisationId: org.id,
          createdBy: caller.user?.id ?? null,
          filename: source.filename ? source.filename.slice(0, 255) : null,
          bytes,
          rowsTotal: scan.rows,
        });
        let seq = 0;
        for await (const piece of createReadStream(spool, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
          await this.imports.insertChunk(tx, id, seq++, piece);
        }
        await this.changes.publish(tx, caller, {
          action: 'import.create',
          entity: 'import',
          entityId: id,
          organisationId: org.id,
          changes: { bytes: { from: null, to: bytes }, rowsTotal: { from: null, to: scan.rows } },
        });
        return { id, state: 'queued' as const, rowsTotal: scan.rows };
      });
    } finally {
      out?.destroy();
      await rm(spool, { force: true });
    }
    // A caller that shows progress (the command-line tool) gets smaller batches, so that it advances in
    // about `progressSteps` steps; each batch is still one transaction and one set-based statement.
    const steps = options.progressSteps;
    this.schedule(id, steps ? Math.min(IMPORT_BATCH_ROWS, Math.max(MIN_BATCH_ROWS, Math.ceil(accepted.rowsTotal / steps))) : IMPORT_BATCH_ROWS);
    return accepted;
  }

  // ---------------------------------------------------------------- status

  private async load(caller: Caller, id: string): Promise<MemberImport> {
    const row = await this.imports.findById(this.transactions.auto, id);
    if (!row || !(await this.access.canOnOrganisation(caller, 'member.import', row.organisationId))) throw notFound('import');
    return row;
  }

  async get(caller: Caller, id: string): Promise<ImportView> {
    return importView(await this.load(caller, id));
  }

  /** An import's view for an operator at the command line (no caller to check). */
  async viewFor(id: string): Promise<ImportView> {
    const row = await this.imports.findById(this.transactions.auto, id);
    if (!row) throw notFound('import');
    return importView(row);
  }

  /**
   * Runs a failed import again, or one whose runner died (no progress for
   * IMPORT_STALE_SECONDS). It resumes after the last committed batch, and
   * rows are upserted by e-mail, so nothing is imported twice.
   */
  async retry(caller: Caller, id: string): Promise<ImportView> {
    const current = await this.load(caller, id);
    const ok = await this.transactions.run(async (tx) => {
      const row = await this.imports.requeueForRetry(tx, id, this.config.importStaleSeconds);
      if (row) {
        await this.changes.publish(tx, caller, {
          action: 'import.retry',
          entity: 'import',
          entityId: id,
          organisationId: current.organisationId,
          changes: { state: { from: current.state, to: 'queued' } },
        });
      }
      return row;
    });
    if (!ok) {
      if (current.state === 'completed') throw conflict('import-completed', 'This import has completed.');
      if (current.state === 'failed') throw conflict('import-file-gone', 'The stored file of this import was discarded; upload the file again.');
      throw conflict('import-in-progress', 'This import is queued or running.');
    }
    this.schedule(id);
    return this.get(caller, id);
  }

  // ---------------------------------------------------------------- runner

  /** Starts a run in the background (the caller already has its 202). */
  schedule(id: string, batchRows = IMPORT_BATCH_ROWS): void {
    if (this.stopping) return;
    this.mine.add(id);
    const run: Promise<void> = this.run(id, batchRows)
      .catch((err: unknown) => this.logger.error({ err, importId: id }, 'import runner failed'))
      .finally(() => {
        this.running.delete(run);
        this.mine.delete(id);
      });
    this.running.add(run);
  }

  /** Waits for the background runs of this process (tests, benchmark). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private async run(id: string, batchRows: number): Promise<void> {
    const token = randomUUID();
    // Claiming is one conditional update: of several processes, one wins.
    const job = await this.imports.claim(this.transactions.auto, id, token);
    if (!job) return;
    const system: Caller = { user: null, requestId: `import:${id}`, ip: '' };
    try {
      await this.process(id, token, job.organisation_id, job.processed_line, job.stored_errors, system, batchRows);
      await this.transactions.run(async (tx) => {
        const done = await this.imports.complete(tx, id, token);
        if (!done) throw new Superseded();
        // The file may hold people's data: it is kept only as long as a retry may need it.
        await this.imports.deleteChunks(tx, id);
        await this.changes.publish(tx, system, {
          action: 'import.complete',
          entity: 'import',
          entityId: id,
          organisationId: job.organisation_id,
          changes: {
            state: { from: 'running', to: 'completed' },
            read: { from: null, to: done.rows_read },
            created: { from: null, to: done.rows_created },
            updated: { from: null, to: done.rows_updated },
            failed: { from: null, to: done.rows_failed },
          },
        });
      });
      // After a bulk load the planner's statistics are stale until autovacuum gets to it; the
      // directory and the export right after a large import would be planned for empty tables.
      if ((await this.imports.rowsCreated(this.transactions.auto, id)) >= ANALYZE_AFTER_ROWS) {
        await this.imports.analyze(this.transactions.auto).catch((err: unknown) => this.logger.warn({ err }, 'ANALYZE after import failed'));
      }
    } catch (err) {
      if (err instanceof Superseded) return;
      if (err instanceof Stopping) {
        await this.imports.handBack(this.transactions.auto, id, token);
        return;
      }
      const failure = describeFailure(err);
      this.logger.warn({ importId: id, failure }, 'import failed');
      await this.transactions.run(async (tx) => {
        if (await this.imports.fail(tx, id, token, failure))
          await this.changes.publish(tx, system, { action: 'import.fail', entity: 'import', entityId: id, organisationId: job.organisation_id, changes: { state: { from: 'running', to: 'failed' } } });
      });
    }
  }

  private async *chunks(id: string): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const data = await this.imports.chunk(this.transactions.auto, id, seq);
      if (!data) return;
      yield data;
    }
  }

  private async process(id: string, token: string, organisationId: string, resumeAfter: number, storedErrors: number, system: Caller, batchRows: number): Promise<void> {
    const source = this.chunks(id);
    const first = await source.next();
    if (first.done) throw new Error('The stored file is missing.');
    const parser = parse(parserOptions(detectDelimiter(first.value)));
    const input = Readable.from(
      (async function* () {
        yield first.value;
        yield* source;
      })(),
    );
    pipeline(input, parser, () => undefined); // errors surface in the loop below
    let columns: (ImportColumn | null)[] | null = null;
    const seen = new Map<string, number>(); // e-mail (lower case) -> first line
    let batch = newBatch();
    let errorsRoom = Math.max(0, MAX_STORED_ERRORS - storedErrors);
    const flush = async () => {
      const kept = batch.errors.slice(0, errorsRoom);
      await this.flush(id, token, organisationId, batch, kept, system);
      errorsRoom -= kept.length;
      batch = newBatch();
      if (this.stopping) throw new Stopping();
    };

    for await (const { record, info } of parser as AsyncIterable<ParsedRecord>) {
      if (!columns) {
        columns = mapHeader(record);
        continue;
      }
      const line = info.lines;
      const parsed = parseRecord(record, columns, line);
      const row = 'row' in parsed ? parsed.row : null;
      let errors = 'errors' in parsed ? parsed.errors : null;
      if (row?.email) {
        const key = row.email.toLowerCase();
        const firstLine = seen.get(key);
        if (firstLine === undefined) seen.set(key, line);
        else errors = [{ line, field: 'email', message: `duplicate of line ${firstLine} (the same e-mail)` }];
      }
      if (line <= resumeAfter) continue; // committed by an earlier run; validated again only to rebuild `seen`
      if (batch.read === 0) batch.firstLine = line;
      batch.read++;
      batch.lastLine = line;
      if (errors) {
        batch.failed++;
        batch.errors.push(...errors);
      } else if (row) {
        batch.rows.push(row);
      }
      if (batch.read >= batchRows) await flush();
    }
    if (batch.read > 0) await flush();
  }

  /** One batch: rows, counters, errors and resume point commit together or not at all. */
  private async flush(id: string, token: string, organisationId: string, batch: Batch, errors: ImportRowError[], system: Caller): Promise<void> {
    await this.transactions.run(async (tx) => {
      const owned = await this.imports.heartbeat(tx, id, token);
      if (owned === null) throw new Superseded(); // another runner took over (this one was presumed dead)
      const { created, updated } = batch.rows.length ? await this.imports.upsertBatch(tx, organisationId, batch.rows) : { created: 0, updated: 0 };
      await this.imports.advance(tx, id, token, { read: batch.read, created, updated, failed: batch.failed, errors, lastLine: batch.lastLine });
      await this.changes.publish(tx, system, {
        action: 'import.batch',
        entity: 'import',
        entityId: id,
        organisationId,
        changes: { lines: { from: batch.firstLine, to: batch.lastLine }, created: { from: null, to: created }, updated: { from: null, to: updated }, failed: { from: null, to: batch.failed } },
      });
    });
  }
}

/**
 * Why a run failed, for the import's `failure`. Database messages can quote
 * values (personal data), so only the constraint name, or the text of an
 * explicit RAISE in a trigger, is kept.
 */
function describeFailure(err: unknown): string {
  if (err instanceof HeaderError) return err.message;
  if (err instanceof CsvError) {
    const { line, message } = describeCsvError(err);
    return `The file is not valid CSV${line ? ` at line ${line}` : ''}: ${message}.`;
  }
  const pg = (err as { driverError?: { code?: string; constraint?: string; message?: string } }).driverError;
  const reason = pg?.constraint ? `constraint ${pg.constraint}` : pg?.code === 'P0001' && pg.message ? pg.message.slice(0, 200) : pg?.code ? `database error ${pg.code}` : 'unexpected error';
  return `A batch could not be saved and was rolled back (${reason}). Fix the cause and retry the import: it resumes after the last saved batch.`;
}

export type { ImportState };
