import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { ProblemDetails } from '../common/problem';
import { CreatePromotionDto, UpdatePromotionDto } from './dto/promotion.dto';
import { PromotionsService } from './promotions.service';
import { PromotionStatsView, PromotionView } from './promotions.views';

/**
 * Partners promote each other's public events (issue 22). Every route needs
 * event.manage somewhere (organisers, org_admins, coordinators); the service
 * then decides on the event (404 when the caller may not see it) and the
 * promotion: the event's managers see and act on all of them, a promoter on
 * its own.
 */
@ApiTags('promotions')
@Controller('events/:id/promotions')
export class PromotionsController {
  constructor(private readonly promotions: PromotionsService) {}

  @Post()
  @Permission('event.manage')
  @ApiOperation({
    summary:
      'Promote another host’s published public event on behalf of an organisation you organise or a coalition you coordinate: it then appears in your lists, and signups through your link (url, with your ref) count as your referrals. Idempotent while live',
  })
  @ApiCreatedResponse({ type: PromotionView })
  @ApiConflictResponse({ description: 'Not public, not published, cancelled or over; your own event; a dissolved promoter; refused by the hosts', type: ProblemDetails })
  promote(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CreatePromotionDto): Promise<PromotionView> {
    return this.promotions.promote(caller, id, dto);
  }

  @Get()
  @Permission('event.manage')
  @ApiOperation({ summary: 'The event’s promotions: all of them for its managers, your own for a promoter (live first)' })
  @ApiOkResponse({ type: [PromotionView] })
  list(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<PromotionView[]> {
    return this.promotions.list(caller, id);
  }

  @Get('stats')
  @Permission('event.manage')
  @ApiOperation({
    summary:
      'Referrals per promoter: signups through its links by status (going, waitlisted, attended, no-show). The event’s managers: every promoter, exact. A promoter: its own, counts under 5 as "<5" and none that could be worked out — never a name',
  })
  @ApiOkResponse({ type: PromotionStatsView })
  stats(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<PromotionStatsView> {
    return this.promotions.stats(caller, id);
  }

  @Patch(':promotionId')
  @Permission('event.manage')
  @ApiOperation({ summary: 'End (either side) or refuse (the event’s managers) a promotion; its ref then records nothing' })
  @ApiOkResponse({ type: PromotionView })
  @ApiConflictResponse({ description: 'Not from this status (a refusal is final)', type: ProblemDetails })
  update(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Param('promotionId', ParseUUIDPipe) promotionId: string, @Body() dto: UpdatePromotionDto): Promise<PromotionView> {
    return this.promotions.setStatus(caller, id, promotionId, dto.status);
  }

  @Delete(':promotionId')
  @Permission('event.manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'End a promotion (either side; one already ended or refused is left as it is)' })
  @ApiNoContentResponse()
  async end(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Param('promotionId', ParseUUIDPipe) promotionId: string): Promise<void> {
    await this.promotions.end(caller, id, promotionId);
  }
}
