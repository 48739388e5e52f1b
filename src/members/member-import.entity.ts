import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { Organisation } from '../organisations/organisation.entity';

export const IMPORT_STATES = ['queued', 'running', 'completed', 'failed'] as const;
export type ImportState = (typeof IMPORT_STATES)[number];

/** The first rejected rows kept for GET /imports/:id; `rowsFailed` counts them all. */
export const MAX_STORED_ERRORS = 1000;

/** One rejected CSV row: where and why, never the value (it may be personal data). */
export interface ImportRowError {
  line: number;
  field?: string;
  message: string;
}

/**
 * A CSV member import and its progress. Batches commit together with the
 * counters and `processedLine`, so a run that dies can resume after the last
 * committed batch; `runToken` names the run that owns the import, so two
 * runners never write the same import.
 */
@Entity('imports')
@Check('ck_imports_state', `"state" IN ('queued','running','completed','failed')`)
export class MemberImport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'text', default: 'queued' })
  state: ImportState;

  @Column({ type: 'text', nullable: true })
  filename: string | null;

  @Column({ type: 'bigint' })
  bytes: string;

  /** Data rows in the file, counted when it was uploaded. */
  @Column({ type: 'integer' })
  rowsTotal: number;

  @Column({ type: 'integer', default: 0 })
  rowsRead: number;

  @Column({ type: 'integer', default: 0 })
  rowsCreated: number;

  @Column({ type: 'integer', default: 0 })
  rowsUpdated: number;

  @Column({ type: 'integer', default: 0 })
  rowsFailed: number;

  /** The first rejected rows (capped); `rowsFailed` counts them all. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  errors: ImportRowError[];

  /** Why the whole import failed (a batch could not be written), without values. */
  @Column({ type: 'text', nullable: true })
  failure: string | null;

  /** Last file line whose batch is committed: a retry resumes after it. */
  @Column({ type: 'integer', default: 0 })
  processedLine: number;

  @Column({ type: 'uuid', nullable: true })
  runToken: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  heartbeatAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * The uploaded file, in 1 MiB pieces, kept in PostgreSQL so that any API
 * process can run or retry the import. Deleted when the import completes
 * (and by an erasure: a stored file may hold the erased person).
 */
@Entity('import_chunks')
export class ImportChunk {
  @PrimaryColumn({ type: 'uuid' })
  importId: string;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @ManyToOne(() => MemberImport, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id' })
  import?: MemberImport;

  @Column({ type: 'bytea' })
  data: Buffer;
}
