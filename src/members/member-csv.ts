import { isEmail } from 'class-validator';

import { unguardCsvCell } from '../common/csv';
import { DATE_PATTERN } from '../common/dto-fields';
import { normalisePhone, PHONE_MESSAGE } from '../common/phone';
import { LANGUAGE_CODE } from './dto/member.dto';
import type { ImportRowError } from './member-import.entity';
import { LANGUAGES, type PreferredLanguage } from './member.entity';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from './membership.entity';

/**
 * The CSV format of member imports and exports. Header names are matched
 * case-insensitively, ignoring accents, spaces and hyphens ("E-mail",
 * "Teléfono"), and a few English and Spanish synonyms are accepted.
 */
export const IMPORT_COLUMNS = ['given_name', 'family_name', 'email', 'phone', 'region', 'locality', 'languages', 'preferred_language', 'status', 'title', 'joined_on', 'dues_paid_until'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly ImportColumn[] = ['given_name', 'family_name'];
/** Written by the export; accepted and ignored by the import, so that an export can be imported as it is. */
export const EXPORT_ONLY_COLUMNS = ['organisation', 'member_id', 'ended_on'] as const;
export const EXPORT_COLUMNS = [...IMPORT_COLUMNS, ...EXPORT_ONLY_COLUMNS] as const;

export const COLUMN_ALIASES: Readonly<Record<string, ImportColumn>> = {
  first_name: 'given_name',
  given_names: 'given_name',
  nombre: 'given_name',
  nombres: 'given_name',
  last_name: 'family_name',
  surname: 'family_name',
  apellido: 'family_name',
  apellidos: 'family_name',
  e_mail: 'email',
  mail: 'email',
  correo: 'email',
  correo_electronico: 'email',
  telephone: 'phone',
  mobile: 'phone',
  telefono: 'phone',
  celular: 'phone',
  departamento: 'region',
  localidad: 'locality',
  distrito: 'locality',
  idiomas: 'languages',
  idioma_preferido: 'preferred_language',
  estado: 'status',
  cargo: 'title',
  fecha_de_ingreso: 'joined_on',
  cuotas_pagadas_hasta: 'dues_paid_until',
};

export const MAX_TEXT = 100;
export const MAX_EMAIL = 254;

/** A valid row, normalised (e-mail trimmed; phone without spaces; languages comma-joined). */
export interface ImportRow {
  email: string | null;
  givenName: string;
  familyName: string;
  phone: string | null;
  region: string | null;
  locality: string | null;
  languages: string | null;
  preferredLanguage: PreferredLanguage | null;
  status: MembershipStatus;
  title: string | null;
  joinedOn: string | null;
  duesPaidUntil: string | null;
}

export function normaliseHeader(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s.-]+/g, '_');
}

export class HeaderError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
  }
}

/** Maps each column of the header to an import column (null: an export-only column, ignored). */
export function mapHeader(header: string[]): (ImportColumn | null)[] {
  const problems: string[] = [];
  const seen = new Map<ImportColumn, number>();
  const columns = header.map((raw, i): ImportColumn | null => {
    const name = normaliseHeader(raw);
    if ((EXPORT_ONLY_COLUMNS as readonly string[]).includes(name)) return null;
    const column = (IMPORT_COLUMNS as readonly string[]).includes(name) ? (name as ImportColumn) : COLUMN_ALIASES[name];
    if (!column) {
      problems.push(name === '' ? `Column ${i + 1} has no name.` : `Unknown column "${raw.trim()}" (column ${i + 1}).`);
      return null;
    }
    if (seen.has(column)) problems.push(`Column ${i + 1} ("${raw.trim()}") repeats ${column} (column ${seen.get(column)! + 1}).`);
    seen.set(column, i);
    return column;
  });
  for (const required of REQUIRED_COLUMNS) if (!seen.has(required)) problems.push(`The header has no ${required} column.`);
  if (problems.length) throw new HeaderError([...problems, `Accepted columns: ${IMPORT_COLUMNS.join(', ')} (and ${EXPORT_ONLY_COLUMNS.join(', ')}, ignored).`]);
  return columns;
}

/** Comma unless the header line has semicolons and no commas (spreadsheets in Spanish locales). */
export function detectDelimiter(firstBytes: Buffer): ',' | ';' {
  const text = firstBytes.subarray(0, 64 * 1024).toString('utf8');
  const end = text.search(/\r?\n/);
  const line = end === -1 ? text : text.slice(0, end);
  return line.includes(';') && !line.includes(',') ? ';' : ',';
}

export function isCalendarDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * Validates one data record. Errors name the line and column and say what
 * is wrong, never the value (the error list is stored and may outlive the
 * person's data).
 */
export function parseRecord(record: string[], columns: (ImportColumn | null)[], line: number): { row: ImportRow } | { errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  const fail = (field: string | undefined, message: string) => errors.push({ line, ...(field ? { field } : {}), message });
  const cells: Partial<Record<ImportColumn, string>> = {};
  for (let i = 0; i < record.length; i++) {
    const value = unguardCsvCell(record[i].trim());
    if (i >= columns.length) {
      if (value !== '') fail(undefined, `has a value in column ${i + 1}, which has no header (an unknown column)`);
      continue;
    }
    const column = columns[i];
    if (column && value !== '') cells[column] = value;
  }
  for (const [column, value] of Object.entries(cells)) {
    if (value.includes('\uFFFD')) fail(column, `${column} is not valid UTF-8 text (save the file as "CSV UTF-8")`);
  }
  const text = (column: ImportColumn, max = MAX_TEXT): string | null => {
    const value = cells[column] ?? null;
    if (value !== null && value.length > max) fail(column, `${column} is longer than ${max} characters`);
    return value;
  };
  const givenName = text('given_name');
  const familyName = text('family_name');
  if (!givenName) fail('given_name', 'given_name is required');
  if (!familyName) fail('family_name', 'family_name is required');

  const email = text('email', MAX_EMAIL);
  if (email !== null && !isEmail(email)) fail('email', 'email is not a valid e-mail address');

  let phone = cells.phone ?? null;
  if (phone !== null) {
    phone = normalisePhone(phone);
    if (phone === null) fail('phone', PHONE_MESSAGE);
  }

  let languages: string | null = null;
  if (cells.languages) {
    const codes = [
      ...new Set(
        cells.languages
          .toLowerCase()
          .split(/[\s,;|/]+/)
          .filter(Boolean),
      ),
    ];
    if (codes.length > 10 || !codes.every((c) => LANGUAGE_CODE.test(c))) fail('languages', 'languages must be ISO 639 codes such as es, qu, ay, separated by spaces or |');
    languages = codes.join(',');
  }

  let preferredLanguage: PreferredLanguage | null = null;
  if (cells.preferred_language) {
    const value = cells.preferred_language.toLowerCase();
    if ((LANGUAGES as readonly string[]).includes(value)) preferredLanguage = value as PreferredLanguage;
    else fail('preferred_language', `preferred_language must be one of ${LANGUAGES.join(', ')}`);
  }

  let status: MembershipStatus = 'active';
  if (cells.status) {
    const value = cells.status.toLowerCase();
    if ((MEMBERSHIP_STATUSES as readonly string[]).includes(value)) status = value as MembershipStatus;
    else fail('status', `status must be one of ${MEMBERSHIP_STATUSES.join(', ')}`);
  }

  const date = (column: 'joined_on' | 'dues_paid_until'): string | null => {
    const value = cells[column] ?? null;
    if (value !== null && !isCalendarDate(value)) fail(column, `${column} must be a date YYYY-MM-DD`);
    return value;
  };
  const joinedOn = date('joined_on');
  const duesPaidUntil = date('dues_paid_until');
  const title = text('title');
  const region = text('region');
  const locality = text('locality');

  if (errors.length) return { errors };
  return { row: { email, givenName: givenName!, familyName: familyName!, phone, region, locality, languages, preferredLanguage, status, title, joinedOn, duesPaidUntil } };
}
