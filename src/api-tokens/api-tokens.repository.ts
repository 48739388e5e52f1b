import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { OrganisationScope } from '../access/access.service';
import type { ScopedRole } from '../access/permissions';
import { returningRows, SqlParams } from '../common/sql';
import type { Tx } from '../database/transactions';

export interface ApiTokenRow {
  id: string;
  organisation_id: string;
  name: string;
  prefix: string;
  permissions: string[];
  expires_at: Date;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, organisation_id, name, prefix, permissions, expires_at, created_by, created_at, last_used_at, revoked_at';

/** A live token with what authenticating it needs to know about the login that made it. */
export interface LiveTokenRow extends ApiTokenRow {
  creator_is_platform_admin: boolean;
  /** The maker's roles on the token's organisation or an ancestor. */
  creator_roles: ScopedRole[];
}

/** The api_tokens table. The secret is never here: only its sha256. */
@Injectable()
export class ApiTokensRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(tx: Tx, t: { organisationId: string; name: string; tokenHash: string; prefix: string; permissions: string[]; expiresAt: Date; createdBy: string }): Promise<ApiTokenRow> {
    const [row] = await tx.query<ApiTokenRow[]>(
      `INSERT INTO api_tokens (organisation_id, name, token_hash, prefix, permissions, expires_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [t.organisationId, t.name, t.tokenHash, t.prefix, t.permissions, t.expiresAt, t.createdBy],
    );
    return row;
  }

  /** The tokens of the scope's organisations (of `organisationIds` among them, when given), newest first. */
  list(scope: OrganisationScope, organisationIds?: string[]): Promise<ApiTokenRow[]> {
    const p = new SqlParams();
    const where: string[] = [];
    if (!scope.all) where.push(`organisation_id = ANY(${p.add(scope.ids)}::uuid[])`);
    if (organisationIds) where.push(`organisation_id = ANY(${p.add(organisationIds)}::uuid[])`);
    return this.db.query<ApiTokenRow[]>(`SELECT ${COLUMNS} FROM api_tokens${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id`, p.values);
  }

  async byId(tx: Tx, id: string, lock = false): Promise<ApiTokenRow | null> {
    const [row] = await tx.query<ApiTokenRow[]>(`SELECT ${COLUMNS} FROM api_tokens WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row ?? null;
  }

  async revoke(tx: Tx, id: string, by: string | null): Promise<ApiTokenRow | null> {
    const [row] = await returningRows<ApiTokenRow>(tx, `UPDATE api_tokens SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`, [id, by]);
    return row ?? null;
  }

  /**
   * The live token behind a secret's hash — not revoked, not expired, its
   * maker an active login — with the maker's roles over its organisation.
   * Read on every request made with it, so a revocation holds at once.
   */
  async live(tokenHash: string): Promise<LiveTokenRow | null> {
    const [row] = await this.db.query<LiveTokenRow[]>(
      `SELECT ${COLUMNS.replace(/(\w+)/g, 't.$1')}, u.is_platform_admin AS creator_is_platform_admin,
              ARRAY(
                WITH RECURSIVE up(id, parent_id, depth) AS (
                  SELECT o.id, o.parent_id, 0 FROM organisations o WHERE o.id = t.organisation_id
                  UNION
                  SELECT o.id, o.parent_id, up.depth + 1 FROM organisations o JOIN up ON o.id = up.parent_id WHERE up.depth < 64)
                SELECT DISTINCT r.role FROM role_assignments r WHERE r.user_id = t.created_by AND r.organisation_id IN (SELECT id FROM up)
              ) AS creator_roles
         FROM api_tokens t JOIN users u ON u.id = t.created_by AND u.disabled_at IS NULL
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()`,
      [tokenHash],
    );
    return row ?? null;
  }

  /** Marks a use (at most once a minute per token: not a write per request). */
  async touch(id: string): Promise<void> {
    await this.db.query(`UPDATE api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [id]);
  }

  /** Is it an organisation a token may belong to (one with staff: not external)? */
  async organisationTakesTokens(id: string): Promise<boolean | null> {
    const [row] = await this.db.query<{ external: boolean }[]>('SELECT external FROM organisations WHERE id = $1', [id]);
    return row ? !row.external : null;
  }
}
