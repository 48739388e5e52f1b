import { Controller, Get, Header, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../../access/caller';
import { Public } from '../../access/public.decorator';
import { ProblemDetails } from '../../common/problem';
import { CalendarQueryDto } from '../dto/event.dto';
import { CalendarService } from './calendar.service';

const CALENDAR = 'text/calendar; charset=utf-8';

@ApiTags('events')
@ApiBadRequestResponse({ description: 'Invalid input (field errors listed)', type: ProblemDetails })
@Controller()
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get('events/:id/calendar.ics')
  @Public()
  @Header('content-type', CALENDAR)
  @Header('content-disposition', 'inline; filename="event.ics"')
  @ApiProduces('text/calendar')
  @ApiOperation({ summary: 'One event as iCalendar (RFC 5545), with its time zone' })
  @ApiOkResponse({ description: 'text/calendar (RFC 5545)', content: { 'text/calendar': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({ type: ProblemDetails })
  event(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<string> {
    return this.calendar.eventFeed(caller, id);
  }

  @Get('calendar.ics')
  @Public()
  @Header('content-type', CALENDAR)
  @Header('content-disposition', 'inline; filename="convoca.ics"')
  @Header('cache-control', 'public, max-age=300')
  @ApiProduces('text/calendar')
  @ApiOperation({ summary: 'Feed of published public events (cancelled ones as STATUS:CANCELLED), by organisation (with sub-organisations), coalition or campaign' })
  @ApiOkResponse({ description: 'text/calendar (RFC 5545)', content: { 'text/calendar': { schema: { type: 'string' } } } })
  feed(@Query() query: CalendarQueryDto): Promise<string> {
    return this.calendar.publicFeed(query);
  }
}
