import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { SCOPED_ROLES, type ScopedRole } from '../permissions';
import type { RoleAssignmentView } from '../roles.service';

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

/** A role held by a user in one organisation or coalition. */
@ApiSchema({ name: 'RoleAssignmentView' })
export class RoleAssignmentViewSchema implements RoleAssignmentView {
  @ApiProperty() id: string;
  @ApiProperty() userId: string;
  @ApiProperty({ enum: SCOPED_ROLES }) role: ScopedRole;
  @ApiProperty({ nullable: true, type: String, description: 'Set for org_admin and organiser' }) organisationId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Set for coordinator', example: null }) coalitionId: string | null;
  @ApiProperty({ nullable: true, type: String }) grantedBy: string | null;
  @ApiProperty() createdAt: Date;
}
