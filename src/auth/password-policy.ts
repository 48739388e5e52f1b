import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength, ValidateBy } from 'class-validator';

import { badRequest } from '../common/problem';
import { PASSWORD_MIN_LENGTH } from './passwords';

/**
 * Passwords people pick first. Length (12+) already rules out most leaked
 * passwords; these are the long ones that still top breach lists.
 */
const COMMON = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  'qwertyuiopas',
  'qwertyuiop123',
  'qwerty123456',
  '123456qwerty',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'contraseña123',
  'contrasena123',
  'contraseña1234',
  'contrasena1234',
  'iloveyou1234',
  'abcdefghijkl',
  'abc123456789',
  'aaaaaaaaaaaa',
  '111111111111',
  '000000000000',
  '123123123123',
  'letmein12345',
  'welcome12345',
  'administrator',
  'administrador',
  'changeme1234',
  'trustno11234',
  'football1234',
  'baseball1234',
  'superman1234',
  'princesa1234',
  'teamo1234567',
  'peru12345678',
  'lima12345678',
  'venceremos123',
  'elpueblounido',
  'correcthorsebatterystaple',
  '1q2w3e4r5t6y',
  'q1w2e3r4t5y6',
  'zaq12wsxcde3',
  '1qaz2wsx3edc',
  'asdfghjklñ12',
  'asdfghjkl123',
  'mypassword123',
  'passw0rd1234',
  'p@ssw0rd1234',
  'p@ssword1234',
]);

export function isCommonPassword(password: string): boolean {
  const folded = password.toLowerCase().replace(/\s+/g, '');
  return COMMON.has(folded) || /^(.)\1+$/.test(folded) || /^(0123456789|1234567890)+\d*$/.test(folded);
}

const TOO_SHORT = `password must be at least ${PASSWORD_MIN_LENGTH} characters long`;
const TOO_COMMON = 'this password is too common; choose another';

/**
 * For a password that may be a new one or an existing login's (accepting an
 * invitation): the policy applies only when it is being set, so the service
 * checks it then, with the same 400 as the field's validation.
 */
export function assertNewPassword(password: string): void {
  const message = password.length < PASSWORD_MIN_LENGTH ? TOO_SHORT : isCommonPassword(password) ? TOO_COMMON : null;
  if (message) throw badRequest('validation-failed', 'The request has 1 invalid field.', [{ field: 'password', message }]);
}

/** A password field: 12 to 256 characters, not a well-known one. */
export const PasswordField = (description?: string) =>
  applyDecorators(
    ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: 256, description: description ?? 'At least 12 characters; common passwords are refused' }),
    IsString(),
    MinLength(PASSWORD_MIN_LENGTH, { message: TOO_SHORT }),
    MaxLength(256),
    ValidateBy({ name: 'notCommonPassword', validator: { validate: (v: unknown) => typeof v !== 'string' || !isCommonPassword(v), defaultMessage: () => TOO_COMMON } }),
  );
