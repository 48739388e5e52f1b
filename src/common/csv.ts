/** What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): = + - @, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A cell as `csvCell` guards it: apostrophes, then a formula start. */
const GUARDED = /^'+[=+\-@\t\r]/;

/**
 * Writing CSV (RFC 4180) for spreadsheets. Every cell that starts with
 * = + - @ (or a tab / carriage return) is prefixed with an apostrophe so that
 * Excel or LibreOffice do not run it as a formula (CSV injection) — every
 * cell, whatever its column: an e-mail address may start with "=" or "+" and
 * still be valid (`=cmd|'/Ccalc.exe'!A0@evil.example`), and an E.164 phone
 * starts with "+". A cell that already looks guarded (apostrophes before a
 * formula start) gets one more apostrophe, so that readers of our own files,
 * which strip one again (`unguardCsvCell`), read back exactly what was
 * written: an export imports as it is.
 */
export function csvCell(value: string | null | undefined): string {
  if (value == null || value === '') return '';
  const text = FORMULA_START.test(value) || GUARDED.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: string[]): string {
  return cells.join(',') + '\r\n';
}

/** Undoes the formula guard of `csvCell` on a cell read back from a file. */
export function unguardCsvCell(value: string): string {
  return GUARDED.test(value) ? value.slice(1) : value;
}
