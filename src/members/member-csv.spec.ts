import { csvCell, csvLine, unguardCsvCell } from '../common/csv';
import { PHONE_MESSAGE } from '../common/phone';
import { detectDelimiter, isCalendarDate, mapHeader, parseRecord, type HeaderError } from './member-csv';

describe('member CSV format', () => {
  it('maps headers case-, accent- and spacing-insensitively, with synonyms; export-only columns are ignored', () => {
    expect(mapHeader(['Given Name', 'APELLIDOS', 'E-mail', 'Teléfono', 'región', 'member_id', 'Fecha de ingreso'])).toEqual([
      'given_name',
      'family_name',
      'email',
      'phone',
      'region',
      null,
      'joined_on',
    ]);
  });

  it('refuses unknown, repeated and missing columns, naming each', () => {
    const problems = (header: string[]) => {
      try {
        mapHeader(header);
        return [];
      } catch (err) {
        return (err as HeaderError).problems;
      }
    };
    expect(problems(['given_name', 'family_name', 'shoe size'])[0]).toBe('Unknown column "shoe size" (column 3).');
    expect(problems(['given_name', 'family_name', 'mail', 'email'])[0]).toBe('Column 4 ("email") repeats email (column 3).');
    expect(problems(['given_name', ''])).toEqual(['Column 2 has no name.', 'The header has no family_name column.', expect.stringMatching(/^Accepted columns:/)]);
  });

  it('validates a record and normalises it', () => {
    const columns = mapHeader(['given_name', 'family_name', 'email', 'phone', 'languages', 'status', 'joined_on', 'preferred_language']);
    expect(parseRecord([' Ana ', 'Quispe', 'Ana@Example.org', '+51 (987) 654-321', 'ES | qu', 'Suspended', '2026-02-28', 'EN'], columns, 7)).toEqual({
      row: {
        givenName: 'Ana',
        familyName: 'Quispe',
        email: 'Ana@Example.org',
        phone: '+51987654321',
        region: null,
        locality: null,
        languages: 'es,qu',
        preferredLanguage: 'en',
        status: 'suspended',
        title: null,
        joinedOn: '2026-02-28',
        duesPaidUntil: null,
      },
    });
    expect(parseRecord(['', 'x'.repeat(101), 'a@b', '12', 'spanish', '', '2026-02-30', 'fr'], columns, 9)).toEqual({
      errors: [
        { line: 9, field: 'family_name', message: 'family_name is longer than 100 characters' },
        { line: 9, field: 'given_name', message: 'given_name is required' },
        { line: 9, field: 'email', message: 'email is not a valid e-mail address' },
        { line: 9, field: 'phone', message: PHONE_MESSAGE },
        { line: 9, field: 'languages', message: 'languages must be ISO 639 codes such as es, qu, ay, separated by spaces or |' },
        { line: 9, field: 'preferred_language', message: 'preferred_language must be one of es, en' },
        { line: 9, field: 'joined_on', message: 'joined_on must be a date YYYY-MM-DD' },
      ],
    });
    expect(parseRecord(['Ana', 'Quispe\uFFFD'], columns, 3)).toEqual({ errors: [{ line: 3, field: 'family_name', message: 'family_name is not valid UTF-8 text (save the file as "CSV UTF-8")' }] });
    expect(parseRecord(['Ana', 'Quispe', '', '', '', '', '', '', 'extra'], columns, 4)).toEqual({ errors: [{ line: 4, message: 'has a value in column 9, which has no header (an unknown column)' }] });
    expect('row' in parseRecord(['Ana', 'Quispe', '', '', '', '', '', '', '  '], columns, 5)).toBe(true);
  });

  it('knows calendar dates and the delimiter', () => {
    expect([isCalendarDate('2024-02-29'), isCalendarDate('2026-02-29'), isCalendarDate('2026-1-01')]).toEqual([true, false, false]);
    expect(detectDelimiter(Buffer.from('nombres;apellidos\nA;B'))).toBe(';');
    expect(detectDelimiter(Buffer.from('given_name,family_name;x\n'))).toBe(',');
  });

  it('writes cells that spreadsheets will not run as formulas, and reads them back', () => {
    expect(csvLine([csvCell('=1+2'), csvCell('+51987654321'), csvCell('a "b", c'), csvCell(null), csvCell('-x')])).toBe(`'=1+2,'+51987654321,"a ""b"", c",,'-x\r\n`);
    // E-mail addresses are cells like any other: valid ones may start with a formula.
    expect(csvCell("=cmd|'/Ccalc.exe'!A0@evil.example")).toBe("'=cmd|'/Ccalc.exe'!A0@evil.example");
    expect(csvCell('@SUM(1+1)@example.org')).toBe("'@SUM(1+1)@example.org");
    expect(unguardCsvCell("'=1+2")).toBe('=1+2');
    expect(unguardCsvCell("'quoted")).toBe("'quoted");
  });

  it('reads back exactly what it wrote, whatever the cell starts with', () => {
    for (const value of ['=1+2', '+51987654321', '-x', '@a', '\tx', '\rx', "'=1+2", "''+x", "'quoted", 'plain', "o'brien@example.org"]) {
      const cell = csvCell(value);
      expect({ value, cell: /^[=+\-@\t\r]/.test(cell) }).toEqual({ value, cell: false });
      const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
      expect(unguardCsvCell(unquoted)).toBe(value);
    }
  });
});
