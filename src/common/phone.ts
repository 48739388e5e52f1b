import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** A number typed without its country code is read as Peruvian (issue 24: most people the service reaches are in Peru). */
export const DEFAULT_PHONE_COUNTRY = 'PE';

/** What the database keeps: E.164 (the CHECK ck_members_phone_e164 says the same). */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

/** What a person is told when a number is refused. */
export const PHONE_MESSAGE = 'phone must be a valid phone number: with its country code (+51 987 654 321) or, for Peru, the nine digits alone (987 654 321)';

/**
 * A phone number as people type it ("987 654 321", "+51 (987) 654-321",
 * "0051987654321") in E.164 (`+51987654321`), parsed with libphonenumber-js,
 * Peru when no country code is given; null when it is not a valid number of
 * any country (too short, a prefix no country uses, letters).
 */
export function normalisePhone(raw: string): string | null {
  const typed = raw.trim().replace(/^00(?=[1-9])/, '+');
  if (!typed || /[a-z]/i.test(typed)) return null;
  const parsed = parsePhoneNumberFromString(typed, DEFAULT_PHONE_COUNTRY);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * An optional phone field: normalised to E.164 when it is a valid number
 * (`normalisePhone`), refused with a clear 400 otherwise. `nullable` lets
 * null clear it (a member's record).
 */
export const PhoneField = (options: { nullable?: boolean; description?: string } = {}) =>
  applyDecorators(
    ApiPropertyOptional({
      type: String,
      example: '+51987654321',
      nullable: options.nullable,
      description: options.description ?? 'E.164, or as typed: "987 654 321" (read as Peruvian), "+51 987-654-321"; stored as +51987654321',
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? (normalisePhone(value) ?? value) : value)),
    Matches(E164_PATTERN, { message: PHONE_MESSAGE }),
  );
