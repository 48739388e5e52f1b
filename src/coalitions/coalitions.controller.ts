import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { Public } from '../access/public.decorator';
import { PageQuery, type Page } from '../common/pagination';
import { ProblemDetails } from '../common/problem';
import type { Coalition } from './coalition.entity';
import { CoalitionPage, CoalitionView, PartnerView } from './coalition.views';
import { CoalitionsService } from './coalitions.service';
import { AddPartnerDto, CreateCoalitionDto, UpdateCoalitionDto, UpdatePartnerDto } from './dto/coalition.dto';

@ApiTags('coalitions')
@Controller('coalitions')
export class CoalitionsController {
  constructor(private readonly coalitions: CoalitionsService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'List coalitions (public)' })
  @ApiOkResponse({ type: CoalitionPage })
  list(@Query() query: PageQuery): Promise<Page<Coalition>> {
    return this.coalitions.list(query);
  }

  @Post()
  @Permission('coalition.create')
  @ApiOperation({ summary: 'Create a coalition (platform admin)' })
  @ApiCreatedResponse({ type: CoalitionView })
  @ApiConflictResponse({ type: ProblemDetails })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateCoalitionDto): Promise<Coalition> {
    return this.coalitions.create(caller, dto);
  }

  @Get(':id')
  @Public()
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'One coalition (public)' })
  @ApiOkResponse({ type: CoalitionView })
  get(@Param('id') id: string): Promise<Coalition> {
    return this.coalitions.get(id);
  }

  @Patch(':id')
  @Permission('coalition.update')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Edit a coalition (coordinator)' })
  @ApiOkResponse({ type: CoalitionView })
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: UpdateCoalitionDto): Promise<Coalition> {
    return this.coalitions.update(caller, id, dto);
  }

  @Get(':id/partners')
  @Public()
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Partners: active ones for everyone; all, with notes, for coordinators' })
  @ApiOkResponse({ type: [PartnerView] })
  partners(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<PartnerView[]> {
    return this.coalitions.partners(caller, id);
  }

  @Post(':id/partners')
  @Permission('coalition.partners.manage')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Invite an organisation as partner (coordinator)' })
  @ApiCreatedResponse({ type: PartnerView })
  @ApiConflictResponse({ description: 'Already a partner', type: ProblemDetails })
  addPartner(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: AddPartnerDto): Promise<PartnerView> {
    return this.coalitions.addPartner(caller, id, dto);
  }

  @Patch(':id/partners/:organisationId')
  @Permission('coalition.partners.manage', 'organisation.update')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Change a partnership: coordinators any allowed transition, role and notes; the partner’s org_admin accepts or withdraws' })
  @ApiOkResponse({ type: PartnerView })
  @ApiConflictResponse({ description: 'Transition not allowed', type: ProblemDetails })
  updatePartner(@CurrentCaller() caller: Caller, @Param('id') id: string, @Param('organisationId', ParseUUIDPipe) organisationId: string, @Body() dto: UpdatePartnerDto): Promise<PartnerView> {
    return this.coalitions.updatePartner(caller, id, organisationId, dto);
  }
}
