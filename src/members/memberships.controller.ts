import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { Public } from '../access/public.decorator';
import { ProblemDetails } from '../common/problem';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import { ApplicationDto, CreateMembershipDto, MembershipQueryDto, UpdateMembershipDto } from './dto/member.dto';
import { ApplicationReceived, MembershipView, OrganisationMembershipPage } from './members.views';
import { MembershipsService } from './memberships.service';

@ApiTags('members')
@Controller()
export class MembershipsController {
  constructor(private readonly memberships: MembershipsService) {}

  @Get('organisations/:id/memberships')
  @Permission('member.read')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'This organisation’s memberships (not its sub-organisations’), in name order; ?status=applied is the applications queue' })
  @ApiOkResponse({ type: OrganisationMembershipPage })
  list(@CurrentCaller() caller: Caller, @Param('id') id: string, @Query() query: MembershipQueryDto): Promise<OrganisationMembershipPage> {
    return this.memberships.list(caller, id, query);
  }

  @Post('organisations/:id/memberships')
  @Permission('member.manage')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Add a member you can already see to this organisation' })
  @ApiCreatedResponse({ type: MembershipView })
  @ApiNotFoundResponse({ description: 'No such member in your organisations', type: ProblemDetails })
  @ApiConflictResponse({ description: 'Already a member here', type: ProblemDetails })
  add(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: CreateMembershipDto): Promise<MembershipView> {
    return this.memberships.add(caller, id, dto);
  }

  @Patch('memberships/:id')
  @Permission('member.manage')
  @ApiOperation({ summary: 'Change a membership: status (by the allowed transitions), title, dues, end date — each change audited' })
  @ApiOkResponse({ type: MembershipView })
  @ApiConflictResponse({ description: 'Transition not allowed', type: ProblemDetails })
  update(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateMembershipDto): Promise<MembershipView> {
    return this.memberships.update(caller, id, dto);
  }

  @Post('organisations/:id/applications')
  @Public()
  @HttpCode(202)
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Public membership application with consent; the same answer whether or not the person is already known' })
  @ApiAcceptedResponse({ type: ApplicationReceived })
  @ApiNotFoundResponse({ description: 'No such organisation taking applications', type: ProblemDetails })
  @RateLimited()
  apply(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: ApplicationDto): Promise<ApplicationReceived> {
    return this.memberships.apply(caller, id, dto);
  }
}
