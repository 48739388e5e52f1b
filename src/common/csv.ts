/**
 * Writing CSV (RFC 4180) for spreadsheets. A cell that starts with = + - @
 * (or a tab / carriage return) is prefixed with an apostrophe so that Excel
 * or LibreOffice do not run it as a formula (CSV injection); readers of our
 * own files strip that apostrophe again (`unguardCsvCell`). Cells listed as
 * `raw` (e-mail, E.164 phone, dates, ids) are written as they are: they are
 * validated values, and `+51…` must round-trip.
 */
export function csvCell(value: string | null | undefined, raw = false): string {
  if (value == null || value === '') return '';
  const text = !raw && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: string[]): string {
  return cells.join(',') + '\r\n';
}

/** Undoes the formula guard of `csvCell` on a cell read back from a file. */
export function unguardCsvCell(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}
