import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { TOKEN_PERMISSIONS } from '../access/api-token';
import type { ApiTokenRow } from './api-tokens.repository';

export const TOKEN_STATES = ['active', 'expired', 'revoked'] as const;

/** An API token as its organisation's admins see it: never the secret. */
export class ApiTokenView {
  @ApiProperty({ example: '9d2c5f8b-1e4a-4d7c-b0f3-6a9d2c5f8b1e' }) id: string;
  @ApiProperty({ example: 'CRM sync' }) name: string;
  @ApiProperty({ example: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90' }) organisationId: string;
  @ApiProperty({ example: 'cvk_Qm2Rb7Ht', description: 'The first characters of the token, to tell tokens apart' }) prefix: string;
  @ApiProperty({ enum: TOKEN_PERMISSIONS, isArray: true, example: ['event.manage', 'member.read'] }) permissions: string[];
  @ApiProperty({ enum: TOKEN_STATES, example: 'active' }) state: (typeof TOKEN_STATES)[number];
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-31T23:59:59.000Z' }) expiresAt: string;
  @ApiProperty({ example: '8b3e6a9d-2c5f-4b8e-a1d4-7c0f3b6e9a2d', description: 'The login that made it: the token works while that login may still give these permissions' }) createdBy: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-05-30T15:15:00.000Z' }) createdAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: '2026-06-08T21:00:00.000Z', description: 'To the minute' }) lastUsedAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: null }) revokedAt: string | null;
}

/** The answer to making a token: the token itself, shown this once. */
export class ApiTokenCreated extends ApiTokenView {
  @ApiProperty({ example: 'cvk_Qm2Rb7Ht5Wy8Lp4Nz6Jc1Fd0Gs_aE-uT2oYkX3v9Qm2Rb7', description: 'Shown once; send it as Authorization: Bearer cvk_…' }) token: string;
}

export function apiTokenView(r: ApiTokenRow): ApiTokenView {
  const state = r.revoked_at ? 'revoked' : r.expires_at.getTime() <= Date.now() ? 'expired' : 'active';
  return {
    id: r.id,
    name: r.name,
    organisationId: r.organisation_id,
    prefix: r.prefix,
    permissions: r.permissions,
    state,
    expiresAt: r.expires_at.toISOString(),
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at ? r.last_used_at.toISOString() : null,
    revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
  };
}
