import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import { API_TOKEN_PREFIX, tokenAuthUser } from '../access/api-token';
import { requireUser, type AuthUser, type Caller } from '../access/caller';
import { ROLE_PERMISSIONS, type Permission } from '../access/permissions';
import { sha256Hex } from '../common/hash';
import { badRequest, forbidden, notFound } from '../common/problem';
import { Transactions } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import { ApiTokensRepository, type LiveTokenRow } from './api-tokens.repository';
import { apiTokenView, type ApiTokenCreated, type ApiTokenView } from './api-tokens.views';
import type { ApiTokenListQuery, CreateApiTokenDto } from './dto/api-token.dto';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 90;
const MAX_DAYS = 365;
const TOKEN_SHAPE = /^cvk_[A-Za-z0-9_-]{43}$/;

/**
 * API tokens (issue 22): made by an org_admin for its organisation with some
 * of the permissions it holds there, shown once, stored as a hash, listed
 * without the secret, revoked at once. A request made with one is
 * authenticated here (`authenticate`, called by the auth module's
 * authenticator for `Bearer cvk_…`) and acts as described in
 * access/api-token.ts.
 */
@Injectable()
export class ApiTokensService {
  constructor(
    private readonly repo: ApiTokensRepository,
    private readonly access: AccessService,
    private readonly transactions: Transactions,
    private readonly changes: DomainEvents,
  ) {}

  async create(caller: Caller, dto: CreateApiTokenDto): Promise<ApiTokenCreated> {
    const user = requireUser(caller);
    const takes = await this.repo.organisationTakesTokens(dto.organisationId);
    if (takes === null) throw notFound('organisation');
    if (!takes) throw badRequest('external-organisation', 'An external organisation has no staff on this platform, and no API tokens.');
    if (!(await this.access.canOnOrganisation(caller, 'apitoken.manage', dto.organisationId))) throw forbidden('Only an org_admin of this organisation (or above it) makes its API tokens.');
    const wider: Permission[] = [];
    for (const p of dto.permissions) if (!(await this.access.canOnOrganisation(caller, p, dto.organisationId))) wider.push(p);
    if (wider.length) throw forbidden(`A token may hold only permissions you hold on this organisation: not ${wider.join(', ')}.`);
    const now = Date.now();
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : new Date(now + DEFAULT_DAYS * DAY_MS);
    if (expiresAt.getTime() <= now || expiresAt.getTime() > now + MAX_DAYS * DAY_MS) {
      throw badRequest('invalid-expiry', 'A token expires in the future, at most a year from now.', [{ field: 'expiresAt', message: 'must be in the future, at most 365 days ahead' }]);
    }
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const permissions = [...dto.permissions].sort();
    return this.transactions.run(async (tx) => {
      const row = await this.repo.insert(tx, {
        organisationId: dto.organisationId,
        name: dto.name.trim(),
        tokenHash: sha256Hex(token),
        prefix: token.slice(0, API_TOKEN_PREFIX.length + 8),
        permissions,
        expiresAt,
        createdBy: user.id,
      });
      await this.changes.publish(tx, caller, {
        action: 'api_token.create',
        entity: 'api_token',
        entityId: row.id,
        organisationId: row.organisation_id,
        changes: { name: { from: null, to: row.name }, permissions: { from: null, to: row.permissions }, expiresAt: { from: null, to: row.expires_at } },
      });
      return { ...apiTokenView(row), token };
    });
  }

  async list(caller: Caller, q: ApiTokenListQuery): Promise<ApiTokenView[]> {
    const scope = await this.access.organisationScope(caller, 'apitoken.manage');
    const rows = await this.repo.list(scope, q.organisation ? await this.access.descendants([q.organisation]) : undefined);
    return rows.map(apiTokenView);
  }

  /** Revokes a token at once (idempotent); 404 for one the caller may not manage. */
  async revoke(caller: Caller, id: string): Promise<void> {
    const found = await this.repo.byId(this.transactions.auto, id);
    if (!found || !(await this.access.canOnOrganisation(caller, 'apitoken.manage', found.organisation_id))) throw notFound('API token');
    await this.transactions.run(async (tx) => {
      const row = await this.repo.revoke(tx, id, caller.user?.id ?? null);
      if (!row) return;
      await this.changes.publish(tx, caller, {
        action: 'api_token.revoke',
        entity: 'api_token',
        entityId: id,
        organisationId: row.organisation_id,
        changes: { revokedAt: { from: null, to: row.revoked_at } },
      });
    });
  }

  /**
   * The caller a `cvk_…` secret is, or null: unknown, revoked, expired, its
   * maker disabled, or its maker no longer holding every permission it
   * carries on its organisation (a token never outlives the right to make it).
   */
  async authenticate(secret: string): Promise<AuthUser | null> {
    if (!TOKEN_SHAPE.test(secret)) return null;
    const row = await this.repo.live(sha256Hex(secret));
    if (!row || !makerStillHolds(row)) return null;
    await this.repo.touch(row.id);
    return tokenAuthUser({ id: row.id, name: row.name, organisationId: row.organisation_id, permissions: row.permissions as Permission[] }, row.created_by);
  }
}

function makerStillHolds(row: LiveTokenRow): boolean {
  if (row.creator_is_platform_admin) return true;
  const held = new Set(row.creator_roles.flatMap((r) => ROLE_PERMISSIONS[r] ?? []));
  return row.permissions.every((p) => held.has(p as Permission));
}
