import { ApiProperty } from '@nestjs/swagger';

import { pageResponseSchema } from '../common/response-schema';
import { assertSummaryDocumented, AUDITED_FIELDS, EDITABLE_FIELDS, EVENT_FIELDS, SUMMARY_FIELDS } from './event-fields';
import { EventSummary, summaryFromRow } from './events.views';

describe('event fields (one table for the list SQL, the views, the audit and the serializer)', () => {
  it('has the list row document every summary field, in order: the compiled serializer writes them all', () => {
    expect(() => assertSummaryDocumented(EventSummary)).not.toThrow();
    const schema = pageResponseSchema(EventSummary) as { properties: { items: { items: { properties: Record<string, unknown> } } } };
    expect(Object.keys(schema.properties.items.items.properties)).toEqual(SUMMARY_FIELDS);
  });

  it('refuses a summary field without @ApiProperty (it would vanish from the list silently)', () => {
    class Undocumented {}
    for (const f of SUMMARY_FIELDS.filter((x) => x !== 'goingCount')) ApiProperty({ type: String })(Undocumented.prototype, f);
    expect(() => assertSummaryDocumented(Undocumented)).toThrow(/missing goingCount/);
  });

  it('refuses a documented list property that is not in the table', () => {
    class Extra {}
    for (const f of [...SUMMARY_FIELDS, 'secret']) ApiProperty({ type: String })(Extra.prototype, f);
    expect(() => assertSummaryDocumented(Extra)).toThrow(/not in EVENT_FIELDS secret/);
  });

  it('maps a list row from its columns, in the serializer’s order', () => {
    const row: Record<string, unknown> = { id: 'x', starts_at: new Date(0) };
    for (const f of SUMMARY_FIELDS) row[EVENT_FIELDS[f].column] ??= `v-${f}`;
    expect(Object.keys(summaryFromRow(row as never))).toEqual(SUMMARY_FIELDS);
  });

  it('audits every editable field, and edits nothing that decides who runs the event', () => {
    for (const f of EDITABLE_FIELDS) expect(AUDITED_FIELDS).toContain(f);
    expect(EDITABLE_FIELDS).not.toContain('hostOrganisationId');
    expect(EDITABLE_FIELDS).not.toContain('coalitionId');
    expect(EDITABLE_FIELDS).not.toContain('status');
  });
});
