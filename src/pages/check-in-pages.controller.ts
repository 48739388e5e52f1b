import { Body, Controller, Get, HttpCode, Param, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Public } from '../access/public.decorator';
import { UUID_PATTERN } from '../common/dto-fields';
import { notFound } from '../common/problem';
import { CheckInsService } from '../events/check-ins.service';
import type { CheckInBatchAnswer, DoorPageManifest } from '../events/check-ins.views';
import { CheckInBatchDto } from '../events/dto/check-in.dto';
import { DOOR_WORKER } from './assets';
import { DoorPageGuard } from './door-page.guard';
import { Page, PageGuard, type PageContext } from './page-context';
import { PageErrorFilter } from './page-error.filter';
import { sendPage } from './page-response';
import { DoorPage } from './views/door';

/**
 * The door page (issue 21) and the two JSON routes its script calls.
 *
 * The API takes Bearer tokens and door links, never the pages' cookie; the
 * page's script, run by a logged-in organiser, has only that cookie. So the
 * page has its own routes, beside it, that call the same CheckInsService
 * methods as the API's — one set of rules: who may work which event's door,
 * the window, idempotent batches, conflicts, walk-ins — with the pages' own
 * guard in front: the cookie session, and on a post its origin (Sec-Fetch-Site)
 * and anti-forgery token (`X-CSRF-Token`); or a door link, checked as the
 * API checks it (DoorPageGuard). Errors are the API's problem+json, which
 * the script reads.
 */
@ApiExcludeController()
@Controller('checkin')
@Public()
export class CheckInPagesController {
  constructor(private readonly checkIns: CheckInsService) {}

  /** The service worker: served from /checkin/ so that its scope can be /checkin/ (a worker reaches no further than its own folder). */
  @Get('sw.js')
  serviceWorker(@Res({ passthrough: true }) reply: FastifyReply): Buffer {
    // Browsers check for a new worker at least daily; no-cache makes each check ask us.
    void reply.headers({ 'content-type': DOOR_WORKER.type, 'cache-control': 'no-cache' });
    return DOOR_WORKER.body;
  }

  /** The page: the same shell for every reader (the door link is in the fragment); its script loads the rest. */
  @Get(':id')
  @UseGuards(PageGuard)
  @UseFilters(PageErrorFilter)
  shell(@Page() page: PageContext, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    if (!UUID_PATTERN.test(id)) throw notFound('event');
    return sendPage(reply, DoorPage({ page, eventId: id }), { cache: 'private', app: true });
  }

  /** The API's manifest (CheckInsService.manifest: same rule, same signature), what the page shows beside it, and a fresh anti-forgery token for its posts. */
  @Get(':id/manifest')
  @UseGuards(PageGuard, DoorPageGuard)
  async manifest(@Page() page: PageContext, @Param('id') id: string): Promise<DoorPageManifest & { csrf: string }> {
    return { ...(await this.checkIns.manifestForDoorPage(page.caller, id)), csrf: page.csrf };
  }

  /** The API's batch of scans (CheckInsService.checkIns), the same body and answer. */
  @Post(':id/check-ins')
  @HttpCode(200)
  @UseGuards(PageGuard, DoorPageGuard)
  checkIn(@Page() page: PageContext, @Param('id') id: string, @Body() dto: CheckInBatchDto): Promise<CheckInBatchAnswer> {
    return this.checkIns.checkIns(page.caller, id, dto);
  }
}
