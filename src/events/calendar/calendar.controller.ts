import { Controller, Get, Header, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../../access/caller';
import { Public } from '../../access/public.decorator';
import { CalendarQueryDto } from '../dto/event.dto';
import { CalendarService } from './calendar.service';

const CALENDAR = 'text/calendar; charset=utf-8';

const ICALENDAR_RESPONSE = {
  description: 'text/calendar (RFC 5545)',
  content: {
    'text/calendar': {
      schema: { type: 'string' },
      example: [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Convoca//ES',
        'BEGIN:VEVENT',
        'UID:e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b@convoca',
        'SEQUENCE:0',
        'DTSTART;TZID=America/Lima:20260608T160000',
        'DTEND;TZID=America/Lima:20260608T200000',
        'SUMMARY:Marcha por la voluntad popular',
        'LOCATION:Plaza San Martín\\, Jr. de la Unión 1000\\, Cercado de Lima',
        'END:VEVENT',
        'END:VCALENDAR',
      ].join('\r\n'),
    },
  },
};

@ApiTags('events')
@Controller()
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get('events/:id/calendar.ics')
  @Public()
  @Header('content-type', CALENDAR)
  @Header('content-disposition', 'inline; filename="event.ics"')
  @ApiProduces('text/calendar')
  @ApiOperation({ summary: 'One event as iCalendar (RFC 5545), with its time zone' })
  @ApiOkResponse(ICALENDAR_RESPONSE)
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
  @ApiOkResponse(ICALENDAR_RESPONSE)
  feed(@Query() query: CalendarQueryDto): Promise<string> {
    return this.calendar.publicFeed(query);
  }
}
