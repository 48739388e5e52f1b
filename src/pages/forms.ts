import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';

import { AppError } from '../common/problem';
import type { Translator } from './i18n';

/** A posted form's fields as strings (the parser in app.ts gave them), the rest ignored. */
export function formValues(body: unknown, fields: readonly string[]): Record<string, string> {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = raw[f];
    if (typeof v === 'string') out[f] = v.trim();
  }
  return out;
}

/** A secret as the service issues them in links (base64url, 20 to 200 characters); anything else in its place is a page that does not exist. */
export const LINK_SECRET_PATTERN = /^[A-Za-z0-9_-]{20,200}$/;

/** The honeypot (ConsentFields): a field people never see; a form that fills it is a bot's, refused before anything is written. */
export function refuseBots(values: Record<string, string>): void {
  if (values.website) throw new AppError(400, 'bad-request', 'Form refused.');
}

/** The message shown next to a field for the first constraint it failed. */
function messageFor(t: Translator, error: ValidationError): string {
  const failed = Object.keys(error.constraints ?? {});
  if (failed.includes('isEmail')) return t.t('field.email');
  if (failed.includes('matches') && error.property === 'phone') return t.t('field.phone');
  if (failed.includes('equals')) return t.t('field.consent');
  if (failed.includes('maxLength')) return t.t('field.tooLong');
  if (failed.some((c) => c === 'isNotEmpty' || c === 'minLength' || c === 'isDefined')) return t.t('field.required');
  return t.t('field.invalid');
}

function collect(t: Translator, errors: ValidationError[], out: Record<string, string>, parent?: string): void {
  for (const e of errors) {
    const field = parent ?? e.property;
    if (e.children?.length) collect(t, e.children, out, field);
    if (e.constraints && !out[field]) out[field] = messageFor(t, e);
  }
}

/**
 * Validates a form with the API's own request class (the same rules as the
 * JSON API), answering the errors by form field, in the reader's language.
 */
export async function validateForm<T extends object>(t: Translator, cls: ClassConstructor<T>, input: object): Promise<{ dto: T; errors: Record<string, string> }> {
  const dto = plainToInstance(cls, input);
  const errors: Record<string, string> = {};
  collect(t, await validate(dto, { whitelist: true, forbidNonWhitelisted: true }), errors);
  return { dto, errors };
}

/** The field errors of a service's 400 (`errors[].field`), for the form that caused it; null when it is not one. */
export function serviceFieldErrors(t: Translator, err: unknown, fields: readonly string[]): Record<string, string> | null {
  if (!(err instanceof AppError) || err.status !== 400 || !err.errors?.length) return null;
  const out: Record<string, string> = {};
  for (const e of err.errors) out[fields.includes(e.field) ? e.field : 'form'] = t.t('field.invalid');
  return out;
}
