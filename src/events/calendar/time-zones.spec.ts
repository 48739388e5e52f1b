import { utcOffsetMinutes, vtimezone, wallTime, zonedDateTime } from './time-zones';

describe('time zones for calendar feeds', () => {
  it('reads offsets from the runtime tz database, half hours included', () => {
    expect(utcOffsetMinutes(new Date('2026-06-08T12:00:00Z'), 'America/Lima')).toBe(-300);
    expect(utcOffsetMinutes(new Date('2026-06-08T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
    expect(utcOffsetMinutes(new Date('2026-06-08T12:00:00Z'), 'UTC')).toBe(0);
  });

  it('describes a zone without daylight saving with one observance', () => {
    expect(vtimezone('America/Lima', 2026, 2027).split('\r\n')).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:America/Lima',
      'BEGIN:STANDARD',
      'DTSTART:20251231T190000',
      'TZOFFSETFROM:-0500',
      'TZOFFSETTO:-0500',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
  });

  it('finds each transition to the minute, northern and southern summers alike', () => {
    const madrid = vtimezone('Europe/Madrid', 2026, 2026);
    expect(madrid).toContain('BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT');
    expect(madrid).toContain('BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD');
    // Chile: summer time in January, standard time in July.
    const santiago = vtimezone('America/Santiago', 2026, 2026);
    expect(santiago).toContain('BEGIN:DAYLIGHT\r\nDTSTART:20251231T210000\r\nTZOFFSETFROM:-0300\r\nTZOFFSETTO:-0300\r\nEND:DAYLIGHT');
    expect(santiago).toContain('BEGIN:STANDARD\r\nDTSTART:20260405T000000\r\nTZOFFSETFROM:-0300\r\nTZOFFSETTO:-0400\r\nEND:STANDARD');
    expect(santiago).toContain('BEGIN:DAYLIGHT\r\nDTSTART:20260906T000000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0300\r\nEND:DAYLIGHT');
  });

  it('gives ical-generator the local wall time of the event’s zone, whatever the server’s zone', () => {
    const at = new Date('2026-07-02T17:00:00Z');
    expect(wallTime(at, 'Europe/Madrid')).toEqual({ year: 2026, month: 7, day: 2, hour: 19, minute: 0, second: 0 });
    const z = zonedDateTime(at, 'America/Lima');
    expect([z.timeZoneId, z.hour, z.toInstant().epochMilliseconds]).toEqual(['America/Lima', 12, at.getTime()]);
    expect(z.withTimeZone('Asia/Kolkata').toPlainDateTime().toString()).toBe('2026-07-02T22:30:00');
    // A wall time read back in its own zone is the same instant.
    expect(z.toPlainDateTime().toZonedDateTime('America/Lima').toInstant().epochMilliseconds).toBe(at.getTime());
    expect(z.toPlainDateTime().toZonedDateTime('Europe/Madrid').toInstant().toString()).toBe('2026-07-02T10:00:00.000Z');
  });
});
