import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { Public } from '../access/public.decorator';
import { PageQuery, type Page } from '../common/pagination';
import { ProblemDetails } from '../common/problem';
import { DemandDetailView, DemandPage, DemandView, EndorsementView, RevisionPage, type RevisionView } from './demand.views';
import { DemandsService } from './demands.service';
import { CreateDemandDto, DemandQueryDto, EndorseDemandDto, ReorderDemandsDto, UpdateDemandDto } from './dto/demand.dto';

@ApiTags('demands')
@Controller('demands')
export class DemandsController {
  constructor(private readonly demands: DemandsService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Demands in platform order: adopted and achieved ones for everyone; drafts, proposals and withdrawn ones inside the owner’s scope' })
  @ApiOkResponse({ type: DemandPage })
  list(@CurrentCaller() caller: Caller, @Query() query: DemandQueryDto): Promise<Page<DemandView>> {
    return this.demands.list(caller, query);
  }

  @Post()
  @Permission('demand.draft')
  @ApiOperation({ summary: 'Draft a demand for an organisation (its organisers and org_admins) or a coalition (its coordinators); appended to the platform' })
  @ApiCreatedResponse({ type: DemandDetailView })
  @ApiConflictResponse({ description: 'Code already used by this owner', type: ProblemDetails })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateDemandDto): Promise<DemandDetailView> {
    return this.demands.create(caller, dto);
  }

  @Put('order')
  @Permission('demand.adopt')
  @ApiOperation({ summary: 'Set the whole order of an owner’s platform (org_admins, coordinators): ids lists every demand once; positions become 1..n' })
  @ApiOkResponse({ type: [DemandView], description: 'The platform in its new order' })
  @ApiConflictResponse({ description: 'ids leave out some of the owner’s demands', type: ProblemDetails })
  reorder(@CurrentCaller() caller: Caller, @Body() dto: ReorderDemandsDto): Promise<DemandView[]> {
    return this.demands.reorder(caller, dto);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'One demand with the organisations endorsing it (not found when the caller may not see it)' })
  @ApiOkResponse({ type: DemandDetailView })
  get(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<DemandDetailView> {
    return this.demands.get(caller, id);
  }

  @Patch(':id')
  @Permission('demand.draft')
  @ApiOperation({
    summary: 'Edit a demand’s text or move its status (organisers: drafts, proposing; org_admins/coordinators: adopt, withdraw, achieve, edit adopted text — kept as a revision)',
  })
  @ApiOkResponse({ type: DemandDetailView })
  @ApiNotFoundResponse({ type: ProblemDetails })
  @ApiConflictResponse({ description: 'Transition not allowed, demand closed, or code taken', type: ProblemDetails })
  update(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateDemandDto): Promise<DemandDetailView> {
    return this.demands.update(caller, id, dto);
  }

  @Get(':id/revisions')
  @Public()
  @ApiOperation({ summary: 'Edits made to the text after adoption, oldest first (who edited: only inside the owner’s scope)' })
  @ApiOkResponse({ type: RevisionPage })
  revisions(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Query() query: PageQuery): Promise<Page<RevisionView>> {
    return this.demands.revisions(caller, id, query);
  }

  @Post(':id/endorsements')
  @Permission('demand.endorse')
  @ApiOperation({ summary: 'Endorse a proposed or adopted demand on behalf of your organisation (org_admin; for a coalition demand: an active partner), once' })
  @ApiCreatedResponse({ type: EndorsementView })
  @ApiConflictResponse({ description: 'Already endorsed, not a partner, or the demand is not endorsable', type: ProblemDetails })
  endorse(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: EndorseDemandDto): Promise<EndorsementView> {
    return this.demands.endorse(caller, id, dto);
  }

  @Delete(':id/endorsements/:organisationId')
  @HttpCode(204)
  @Permission('demand.endorse')
  @ApiOperation({ summary: 'Withdraw your organisation’s endorsement (its org_admin)' })
  @ApiNoContentResponse()
  async unendorse(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Param('organisationId', ParseUUIDPipe) organisationId: string): Promise<void> {
    await this.demands.unendorse(caller, id, organisationId);
  }
}
