import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A URL-safe, lower-case identifier: `nuevo-peru`, `venceremos`. */
export const SlugField = (optional = false) =>
  applyDecorators(
    optional ? ApiPropertyOptional({ example: 'voces-del-pueblo' }) : ApiProperty({ example: 'voces-del-pueblo' }),
    ...(optional ? [IsOptional()] : []),
    IsString(),
    MinLength(2),
    MaxLength(64),
    Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters, digits and single hyphens' }),
  );

/** A required or optional single-line text of bounded length. */
export const TextField = (max: number, options: { optional?: boolean; example?: string; min?: number } = {}) =>
  applyDecorators(
    options.optional ? ApiPropertyOptional({ type: String, example: options.example, maxLength: max }) : ApiProperty({ type: String, example: options.example, maxLength: max }),
    ...(options.optional ? [IsOptional()] : []),
    IsString(),
    MinLength(options.min ?? (options.optional ? 0 : 1)),
    MaxLength(max),
  );

/** `YYYY-MM-DD` (a calendar date with no time). */
export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * An ISO 8601 instant with an explicit offset (`2026-06-07T16:00:00-05:00` or
 * `…Z`): never a floating local time. With `nullable`, null
 * clears an optional field.
 */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export const TimestampField = (options: { optional?: boolean; nullable?: boolean; example?: string; description?: string } = {}) =>
  applyDecorators(
    options.optional
      ? ApiPropertyOptional({ type: String, format: 'date-time', example: options.example, description: options.description, nullable: options.nullable })
      : ApiProperty({ type: String, format: 'date-time', example: options.example, description: options.description }),
    // Optional but not nullable: absent is fine, null is not a date-time.
    ...(options.optional ? [options.nullable ? IsOptional() : ValidateIf((_o, v) => v !== undefined)] : []),
    IsISO8601({ strict: true }, { message: '$property must be an ISO 8601 date-time' }),
    Matches(TIMESTAMP_PATTERN, { message: '$property must be a date-time with an offset, such as 2026-06-07T16:00:00-05:00' }),
  );

/** The fields a PATCH body actually carries (validated DTO instances also hold absent fields, as undefined). */
export function definedOnly<T extends object>(dto: T): Partial<T> {
  return Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)) as Partial<T>;
}
