import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { Public } from '../access/public.decorator';
import type { Page } from '../common/pagination';
import { ProblemDetails } from '../common/problem';
import { pageResponseSchema } from '../common/response-schema';
import { CancelEventDto, CreateEventDto, CreateShiftDto, EventQueryDto, GrantEventHostDto, UpdateEventDto, UpdateShiftDto } from './dto/event.dto';
import { EventsService } from './events.service';
import { EventHostView, EventListItem, EventPage, EventView, ShiftView } from './events.views';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'List events in start order (anonymous callers: published public events; from defaults to now). includePromoted=true: also the events the organisation or coalition filtered by promotes',
  })
  @ApiOkResponse({ type: EventPage })
  // The busiest route: its answer is written by a serializer compiled for its shape.
  @RouteSchema({ response: { 200: pageResponseSchema(EventListItem) } })
  list(@CurrentCaller() caller: Caller, @Query() query: EventQueryDto): Promise<Page<EventListItem>> {
    return this.events.list(caller, query);
  }

  @Post()
  @Permission('event.manage')
  @ApiOperation({ summary: 'Create a draft event for an organisation (its organisers) or a coalition (its coordinators)' })
  @ApiCreatedResponse({ type: EventView })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateEventDto): Promise<EventView> {
    return this.events.create(caller, dto);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'One event, if the caller may see it (attendees-only locations only for attendees and organisers)' })
  @ApiOkResponse({ type: EventView })
  get(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<EventView> {
    return this.events.get(caller, id);
  }

  @Patch(':id')
  @Permission('event.manage')
  @ApiOperation({
    summary: 'Edit an event (organisers of the host or a co-host; coordinators for coalition events). A change of time or place notifies everyone signed up; more capacity promotes the waiting list',
  })
  @ApiOkResponse({ type: EventView })
  @ApiConflictResponse({ description: 'Event cancelled or completed, or capacity below the seats taken', type: ProblemDetails })
  update(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateEventDto): Promise<EventView> {
    return this.events.update(caller, id, dto);
  }

  @Post(':id/publish')
  @Permission('event.manage')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish a draft (idempotent)' })
  @ApiOkResponse({ type: EventView })
  @ApiConflictResponse({ type: ProblemDetails })
  publish(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<EventView> {
    return this.events.publish(caller, id);
  }

  @Post(':id/cancel')
  @Permission('event.manage')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the event; everyone signed up is told by e-mail' })
  @ApiOkResponse({ type: EventView })
  @ApiConflictResponse({ type: ProblemDetails })
  cancel(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CancelEventDto): Promise<EventView> {
    return this.events.cancel(caller, id, dto);
  }

  @Post(':id/complete')
  @Permission('event.manage')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a published event that has started as completed (idempotent)' })
  @ApiOkResponse({ type: EventView })
  @ApiConflictResponse({ type: ProblemDetails })
  complete(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<EventView> {
    return this.events.complete(caller, id);
  }

  @Get(':id/shifts')
  @Public()
  @ApiOperation({ summary: 'The event’s volunteer shifts, with seats taken' })
  @ApiOkResponse({ type: [ShiftView] })
  shifts(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<ShiftView[]> {
    return this.events.shifts(caller, id);
  }

  @Post(':id/shifts')
  @Permission('event.manage')
  @ApiOperation({ summary: 'Add a shift (marshals, first aid, press…) with its own times and capacity' })
  @ApiCreatedResponse({ type: ShiftView })
  createShift(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CreateShiftDto): Promise<ShiftView> {
    return this.events.createShift(caller, id, dto);
  }

  @Patch(':id/shifts/:shiftId')
  @Permission('event.manage')
  @ApiOperation({ summary: 'Edit a shift; more capacity promotes its waiting list' })
  @ApiOkResponse({ type: ShiftView })
  updateShift(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Param('shiftId', ParseUUIDPipe) shiftId: string, @Body() dto: UpdateShiftDto): Promise<ShiftView> {
    return this.events.updateShift(caller, id, shiftId, dto);
  }

  @Get(':id/hosts')
  @Permission('event.manage')
  @ApiOperation({ summary: 'Per-event hosts: users who manage this one event’s signups and check-in' })
  @ApiOkResponse({ type: [EventHostView] })
  hosts(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<EventHostView[]> {
    return this.events.hosts(caller, id);
  }

  @Post(':id/hosts')
  @Permission('event.manage')
  @ApiOperation({ summary: 'Make a user a host of this event (signups and check-in of this event only; no organisation rights). Idempotent' })
  @ApiCreatedResponse({ type: EventHostView })
  grantHost(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: GrantEventHostDto): Promise<EventHostView> {
    return this.events.grantHost(caller, id, dto.userId);
  }

  @Delete(':id/hosts/:userId')
  @Permission('event.manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a per-event host' })
  @ApiNoContentResponse()
  async revokeHost(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Param('userId', ParseUUIDPipe) userId: string): Promise<void> {
    await this.events.revokeHost(caller, id, userId);
  }
}
