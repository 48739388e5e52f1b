import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiGoneResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { ProblemDetails } from '../common/problem';
import { CheckInsService } from './check-ins.service';
import { CheckInBatchAnswer, CheckInManifest, DoorLinkCreated, DoorLinkView, EventTurnout } from './check-ins.views';
import { DoorLinkAccepted } from './door-link.guard';
import { DoorLinksService } from './door-links.service';
import { CheckInBatchDto, CreateDoorLinkDto } from './dto/check-in.dto';

const ForDoors = () => ApiForbiddenResponse({ description: 'Only the organisers and hosts of this event, or a door link of it, may check people in' });
const DoorClosed = () => ApiGoneResponse({ description: 'The check-in window closed (the event’s end plus CHECKIN_MANIFEST_HOURS): it never reopens, so 410 rather than 409', type: ProblemDetails });
const NotAtTheDoor = () => ApiConflictResponse({ description: 'The event is a draft or was cancelled', type: ProblemDetails });

/**
 * Check-in at the door (issue 21). The manifest and the batch routes declare
 * `self` (per-event hosts hold no organisation role the guard could check)
 * and accept a door link instead of a login; the service then requires the
 * event's organisers, per-event hosts, or a door link of that event.
 */
@ApiTags('check-in')
@Controller('events/:id')
export class CheckInsController {
  constructor(
    private readonly checkIns: CheckInsService,
    private readonly doorLinks: DoorLinksService,
  ) {}

  @Get('check-in-manifest')
  @Permission('self')
  @DoorLinkAccepted()
  @ApiOperation({
    summary:
      'What a door takes offline: every signup’s check-in hashes, the name to show (never an e-mail, a phone or a member id), shift and status, the counts, and a signature (organisers, per-event hosts, a door link)',
  })
  @ApiOkResponse({ type: CheckInManifest })
  @ForDoors()
  @NotAtTheDoor()
  @DoorClosed()
  manifest(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<CheckInManifest> {
    return this.checkIns.manifest(caller, id);
  }

  @Post('check-ins')
  @Permission('self')
  @DoorLinkAccepted()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'A door’s queue of scans (at most 500), answered in order: checked_in, already (the same clientId again), conflict, unknown, cancelled, waitlisted or late. Walk-ins take a free seat or are recorded beyond capacity. All or nothing',
  })
  @ApiOkResponse({ type: CheckInBatchAnswer })
  @ForDoors()
  @NotAtTheDoor()
  @DoorClosed()
  checkIn(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CheckInBatchDto): Promise<CheckInBatchAnswer> {
    return this.checkIns.checkIns(caller, id, dto);
  }

  @Post('door-links')
  @Permission('event.manage')
  @ApiOperation({ summary: 'A door link for a volunteer with no account: the manifest and check-ins of this event only, until the window closes or it is revoked. The secret is shown once' })
  @ApiCreatedResponse({ type: DoorLinkCreated })
  @NotAtTheDoor()
  @DoorClosed()
  createDoorLink(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CreateDoorLinkDto): Promise<DoorLinkCreated> {
    return this.doorLinks.create(caller, id, dto.label);
  }

  @Get('door-links')
  @Permission('event.manage')
  @ApiOperation({ summary: 'The event’s door links, revoked ones too (never a secret)' })
  @ApiOkResponse({ type: [DoorLinkView] })
  listDoorLinks(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<DoorLinkView[]> {
    return this.doorLinks.list(caller, id);
  }

  @Delete('door-links/:linkId')
  @Permission('event.manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a door link: its next request is refused (401). Idempotent' })
  @ApiNoContentResponse({ description: 'Revoked' })
  revokeDoorLink(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Param('linkId', ParseUUIDPipe) linkId: string): Promise<void> {
    return this.doorLinks.revoke(caller, id, linkId);
  }

  @Get('turnout')
  @Permission('event.manage')
  @ApiOperation({ summary: 'Seats held, checked in, no-shows (once ended), walk-ins and those let in beyond capacity, for the event and each shift (organisers)' })
  @ApiOkResponse({ type: EventTurnout })
  turnout(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<EventTurnout> {
    return this.checkIns.turnout(caller, id);
  }
}
