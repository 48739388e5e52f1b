import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { Public } from '../access/public.decorator';
import type { Page } from '../common/pagination';
import { ProblemDetails } from '../common/problem';
import { CreateOrganisationDto, OrganisationQueryDto, UpdateOrganisationDto } from './dto/organisation.dto';
import type { Organisation } from './organisation.entity';
import { OrganisationPage, OrganisationView } from './organisation.views';
import { OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'List organisations (public), by slug' })
  @ApiOkResponse({ type: OrganisationPage })
  list(@Query() query: OrganisationQueryDto): Promise<Page<Organisation>> {
    return this.organisations.list(query);
  }

  @Post()
  @Permission('organisation.create')
  @ApiOperation({ summary: 'Create an organisation (top level: platform admin; sub-organisation: org_admin of the parent)' })
  @ApiCreatedResponse({ type: OrganisationView })
  @ApiConflictResponse({ description: 'Slug taken', type: ProblemDetails })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateOrganisationDto): Promise<Organisation> {
    return this.organisations.create(caller, dto);
  }

  @Get(':id')
  @Public()
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'One organisation (public)' })
  @ApiOkResponse({ type: OrganisationView })
  get(@Param('id') id: string): Promise<Organisation> {
    return this.organisations.get(id);
  }

  @Patch(':id')
  @Permission('organisation.update')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Edit an organisation (org_admin of it or of an ancestor); moving it checks for cycles' })
  @ApiOkResponse({ type: OrganisationView })
  @ApiConflictResponse({ description: 'Slug taken, or the move would make a cycle', type: ProblemDetails })
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: UpdateOrganisationDto): Promise<Organisation> {
    return this.organisations.update(caller, id, dto);
  }

  @Get(':id/children')
  @Public()
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Direct sub-organisations (currents, chapters)' })
  @ApiOkResponse({ type: [OrganisationView] })
  children(@Param('id') id: string): Promise<Organisation[]> {
    return this.organisations.children(id);
  }
}
