import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import type { RoleGrant } from './caller';
import { SCOPED_ROLES, type ScopedRole } from './permissions';
import type { RoleAssignment } from './role-assignment.entity';

export interface RoleAssignmentView extends RoleGrant {
  userId: string;
  grantedBy: string | null;
  createdAt: Date;
}

export const roleAssignmentView = (r: RoleAssignment): RoleAssignmentView => ({
  id: r.id,
  userId: r.userId,
  role: r.role,
  organisationId: r.organisationId,
  coalitionId: r.coalitionId,
  grantedBy: r.grantedBy,
  createdAt: r.createdAt,
});

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
