import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { ProblemDetails } from '../common/problem';
import { CreateMemberDto, MemberQueryDto, UpdateMemberDto } from './dto/member.dto';
import { MemberRightsService } from './member-rights.service';
import { MembersService } from './members.service';
import { DirectoryPage, ErasureResult, MemberExport, MemberView } from './members.views';

/**
 * Routes on one member declare `self` besides their permission: the person
 * may read, correct and export their own record. Everyone else is checked
 * against the member's memberships by the service, and a member outside the
 * caller's scope is a 404 — also for coordinators, who never see partners'
 * members.
 */
@ApiTags('members')
@Controller('members')
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly rights: MemberRightsService,
  ) {}

  @Get()
  @Permission('member.read')
  @ApiOperation({ summary: 'Member directory and search in your organisations (and their sub-organisations), keyset-paginated in name order' })
  @ApiOkResponse({ type: DirectoryPage })
  @ApiForbiddenResponse({ description: 'organisation= names one whose members you may not read', type: ProblemDetails })
  directory(@CurrentCaller() caller: Caller, @Query() query: MemberQueryDto): Promise<DirectoryPage> {
    return this.members.directory(caller, query);
  }

  @Post()
  @Permission('member.manage')
  @ApiOperation({ summary: 'Create a member with memberships; a known e-mail (any case) adds the memberships to that person' })
  @ApiCreatedResponse({ type: MemberView, description: 'The member as you may see it: your memberships only' })
  @ApiConflictResponse({ description: 'Already a member of one of these organisations', type: ProblemDetails })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateMemberDto): Promise<MemberView> {
    return this.members.create(caller, dto);
  }

  @Get(':id')
  @Permission('member.read', 'self')
  @ApiOperation({ summary: 'One member: memberships and consent inside your scope; e-mail and phone with member-data access' })
  @ApiOkResponse({ type: MemberView })
  @ApiNotFoundResponse({ description: 'No such member in your organisations', type: ProblemDetails })
  get(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<MemberView> {
    return this.members.get(caller, id);
  }

  @Patch(':id')
  @Permission('member.manage', 'self')
  @ApiOperation({ summary: 'Correct a member’s personal data (org_admin of one of their organisations, or the person)' })
  @ApiOkResponse({ type: MemberView })
  @ApiForbiddenResponse({ description: 'Not an org_admin of one of the member’s organisations (nor the person)' })
  @ApiConflictResponse({ description: 'E-mail used by another member, or the person was erased', type: ProblemDetails })
  update(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateMemberDto): Promise<MemberView> {
    return this.members.update(caller, id, dto);
  }

  @Get(':id/export')
  @Permission('member.manage', 'self')
  @ApiOperation({ summary: 'All data held on the person (JSON): everything for the person or a platform admin, your organisations’ part for an org_admin' })
  @ApiOkResponse({ type: MemberExport })
  @ApiForbiddenResponse({ description: 'Reading it but not managing the member: exports are for org_admins' })
  export(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<MemberExport> {
    return this.rights.exportMember(caller, id);
  }

  @Post(':id/erase')
  @HttpCode(200)
  @Permission('member.manage')
  @ApiOperation({ summary: 'Erase the person: personal data replaced everywhere, memberships ended, counts kept (org_admin of every organisation they belong to, or platform admin)' })
  @ApiOkResponse({ type: ErasureResult })
  @ApiConflictResponse({ description: 'Already erased, or linked to a login that holds roles', type: ProblemDetails })
  erase(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<ErasureResult> {
    return this.rights.erase(caller, id);
  }
}
