import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { MemberStatsService } from './member-stats.service';
import { CoalitionStats, CoalitionTurnout, OrganisationStats } from './members.views';

@ApiTags('statistics')
@Controller()
export class MemberStatsController {
  constructor(private readonly stats: MemberStatsService) {}

  @Get('organisations/:id/stats')
  @Permission('organisation.stats')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Members by status and region, and growth per month, for the organisation and its sub-organisations' })
  @ApiOkResponse({ type: OrganisationStats })
  organisation(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<OrganisationStats> {
    return this.stats.forOrganisation(caller, id);
  }

  @Get('coalitions/:id/stats')
  @Permission('coalition.stats')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({
    summary: 'The same aggregates per active partner, counts under 5 shown as "<5" and, where a total would let one be worked out, further counts withheld as "suppressed"; never a member list',
  })
  @ApiOkResponse({ type: CoalitionStats })
  coalition(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<CoalitionStats> {
    return this.stats.forCoalition(caller, id);
  }

  @Get('coalitions/:id/turnout')
  @Permission('coalition.stats')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({
    summary: 'Turnout per active partner at the coalition’s ended events — seats held, checked in, no-shows of its members — with the suppression rules of the coalition statistics; never a person',
  })
  @ApiOkResponse({ type: CoalitionTurnout })
  turnout(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<CoalitionTurnout> {
    return this.stats.turnoutForCoalition(caller, id);
  }
}
