import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { ProblemDetails } from '../common/problem';
import { RoleAssignmentViewSchema, type RoleAssignmentView } from './access.views';
import { CurrentCaller, type Caller } from './caller';
import { GrantRoleDto } from './dto/grant-role.dto';
import { Permission } from './permission.decorator';
import { RolesService } from './roles.service';

@ApiTags('access')
@Controller()
export class RoleAssignmentsController {
  constructor(private readonly roles: RolesService) {}

  @Post('role-assignments')
  @Permission('role.grant')
  @ApiOperation({ summary: 'Grant a role in an organisation (org_admin, organiser) or a coalition (coordinator)' })
  @ApiCreatedResponse({ type: RoleAssignmentViewSchema, description: 'The assignment (an existing identical one is returned as is)' })
  @ApiNotFoundResponse({ type: ProblemDetails })
  grant(@CurrentCaller() caller: Caller, @Body() dto: GrantRoleDto): Promise<RoleAssignmentView> {
    return this.roles.grant(caller, dto);
  }

  @Delete('role-assignments/:id')
  @HttpCode(204)
  @Permission('role.grant')
  @ApiOperation({ summary: 'Revoke a role assignment' })
  @ApiNoContentResponse()
  async revoke(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.roles.revoke(caller, id);
  }

  @Get('users/:id/roles')
  @Permission('self')
  @ApiOperation({ summary: 'A user’s role assignments (yourself, a platform admin, or those inside your granting scopes)' })
  @ApiOkResponse({ type: [RoleAssignmentViewSchema] })
  list(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<RoleAssignmentView[]> {
    return this.roles.listForUser(caller, id);
  }
}
