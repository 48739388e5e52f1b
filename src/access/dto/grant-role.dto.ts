import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';

import { SCOPED_ROLES, type ScopedRole } from '../permissions';

export class GrantRoleDto {
  @ApiProperty()
  @IsUUID()
  userId: string;

  @ApiProperty({ enum: SCOPED_ROLES })
  @IsIn(SCOPED_ROLES)
  role: ScopedRole;

  @ApiPropertyOptional({ description: 'For org_admin and organiser' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ description: 'For coordinator' })
  @IsOptional()
  @IsUUID()
  coalitionId?: string;
}
