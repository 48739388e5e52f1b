import { randomUUID } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';

/**
 * The import's baseline: the rows an import of `file` writes, COPYed by
 * PostgreSQL itself into the same tables — `members` (its indexes, its
 * statement trigger that writes the search words) and `memberships` (its
 * indexes, its controller check) — in one transaction, as one COPY per
 * table. The floor of what the schema allows for these rows, measured in the
 * same run; the CSV import is measured against it.
 *
 * The rows are the file's, with other e-mail addresses (`copy.` instead of
 * the file's prefix: the import's rows are already in the directory) and
 * ids made here. Preparing the two files is not timed; BEGIN to COMMIT is.
 * The rows stay (the directory grows by the file's size, as after the
 * import): run it after what it is compared with.
 */
export async function copyIntoSameTables(db: Client, options: { file: string; work: string; organisationId: string; controllerId: string }): Promise<{ ms: number; rows: number }> {
  const [header, ...lines] = readFileSync(options.file, 'utf8').trimEnd().split('\n');
  const at = Object.fromEntries(header.split(',').map((name, i) => [name, i]));
  const members: string[] = [];
  const memberships: string[] = [];
  for (const line of lines) {
    // The synthetic file has no quoted cells (bench/lib/synthetic.ts).
    const cell = line.split(',');
    const id = randomUUID();
    const email = cell[at.email].replace(/^[^.@]+\./, 'copy.');
    members.push([id, options.controllerId, cell[at.given_name], cell[at.family_name], email, cell[at.phone], cell[at.region], cell[at.locality]].join(','));
    memberships.push([id, options.organisationId, cell[at.status], cell[at.title], cell[at.joined_on], 'import'].join(','));
  }
  const membersFile = join(options.work, 'copy-members.csv');
  const membershipsFile = join(options.work, 'copy-memberships.csv');
  writeFileSync(membersFile, members.join('\n') + '\n');
  writeFileSync(membershipsFile, memberships.join('\n') + '\n');
  chmodSync(membersFile, 0o644);
  chmodSync(membershipsFile, 0o644);
  const started = performance.now();
  await db.query('BEGIN');
  try {
    await db.query(`COPY members (id, controller_id, given_name, family_name, email, phone, region, locality) FROM '${membersFile}' WITH (FORMAT csv)`);
    // Empty cells are NULL in CSV format (no title, no date).
    await db.query(`COPY memberships (member_id, organisation_id, status, title, joined_on, source) FROM '${membershipsFile}' WITH (FORMAT csv)`);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK');
    throw err;
  }
  return { ms: performance.now() - started, rows: lines.length };
}
