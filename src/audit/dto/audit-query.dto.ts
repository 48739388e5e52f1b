import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

import { PageOf, PageQuery } from '../../common/pagination';
import type { AuditEntry } from '../audit-entry.entity';

export class AuditQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'Organisation id (its descendants included)' })
  @IsOptional()
  @IsUUID()
  organisation?: string;

  @ApiPropertyOptional({ example: 'organisation' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z_]+$/)
  entity?: string;

  @ApiPropertyOptional({ description: 'User id of the actor' })
  @IsOptional()
  @IsUUID()
  actor?: string;
}

/** One audit entry: who did what to which record, and which fields changed. */
export class AuditEntryView implements AuditEntry {
  @ApiProperty({ description: 'Increasing with time', example: '18342' }) id: string;
  @ApiProperty() at: Date;
  @ApiProperty({ nullable: true, type: String, example: '1d4a7c0f-3b6e-4d9a-8c2f-5b8e1a4d7c0f' }) actorUserId: string | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'The API token the change was made with (actorUserId is then the login that made the token)' })
  actorApiTokenId: string | null;
  @ApiProperty({ example: 'membership.update' }) action: string;
  @ApiProperty({ example: 'membership' }) entity: string;
  @ApiProperty({ nullable: true, type: String, example: '6f1a4d7c-0b3e-4a6f-9c2b-5e8d1a4c7f0b' }) entityId: string | null;
  @ApiProperty({ nullable: true, type: String }) organisationId: string | null;
  @ApiProperty({ nullable: true, type: String, example: null }) coalitionId: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, example: { status: { from: 'applied', to: 'active' } } }) changes: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String, example: 'b3f1c7c4-5a4e-4b0e-9c55-0b9c5a7f2f11' }) requestId: string | null;
}

export const AuditEntryPage = PageOf(AuditEntryView, 'AuditEntryPage');
