import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsUUID } from 'class-validator';

import { TOKEN_PERMISSIONS } from '../../access/api-token';
import type { Permission } from '../../access/permissions';
import { TextField, TimestampField } from '../../common/dto-fields';

export class CreateApiTokenDto {
  @TextField(100, { example: 'CRM sync' })
  name: string;

  @ApiProperty({ example: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90', description: 'The organisation it acts for (its descendants included)' })
  @IsUUID()
  organisationId: string;

  @ApiProperty({
    enum: TOKEN_PERMISSIONS,
    isArray: true,
    example: ['event.manage', 'member.read'],
    description: 'Some of the permissions the caller holds there as org_admin (never role.grant or apitoken.manage)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TOKEN_PERMISSIONS.length)
  @ArrayUnique()
  @IsIn(TOKEN_PERMISSIONS, { each: true })
  permissions: Permission[];

  @TimestampField({ optional: true, example: '2026-12-31T23:59:59-05:00', description: 'At most a year ahead; 90 days when left out' })
  expiresAt?: string;
}

export class ApiTokenListQuery {
  @ApiPropertyOptional({ description: 'Organisation id: its tokens and its descendants’' })
  @IsOptional()
  @IsUUID()
  organisation?: string;
}
