import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { Public } from '../access/public.decorator';
import type { Page } from '../common/pagination';
import { ProblemDetails } from '../common/problem';
import type { Campaign } from './campaign.entity';
import { CampaignPage, CampaignView } from './campaign.views';
import { CampaignsService } from './campaigns.service';
import { CampaignQueryDto, CreateCampaignDto, UpdateCampaignDto } from './dto/campaign.dto';

@ApiTags('campaigns')
@Controller('campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'List campaigns, newest first (drafts only to those who manage the owner)' })
  @ApiOkResponse({ type: CampaignPage })
  list(@CurrentCaller() caller: Caller, @Query() query: CampaignQueryDto): Promise<Page<Campaign>> {
    return this.campaigns.list(caller, query);
  }

  @Post()
  @Permission('campaign.manage')
  @ApiOperation({ summary: 'Create a campaign for an organisation (organisers) or a coalition (coordinators)' })
  @ApiCreatedResponse({ type: CampaignView })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateCampaignDto): Promise<CampaignView> {
    return this.campaigns.create(caller, dto);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'One campaign (drafts only to those who manage the owner)' })
  @ApiOkResponse({ type: CampaignView })
  get(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<CampaignView> {
    return this.campaigns.get(caller, id);
  }

  @Patch(':id')
  @Permission('campaign.manage')
  @ApiOperation({ summary: 'Edit a campaign: title, description, dates, status (draft, active, closed)' })
  @ApiOkResponse({ type: CampaignView })
  @ApiConflictResponse({ description: 'An active or closed campaign cannot become a draft again', type: ProblemDetails })
  update(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateCampaignDto): Promise<CampaignView> {
    return this.campaigns.update(caller, id, dto);
  }
}
