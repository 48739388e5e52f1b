import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

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
    options.optional ? ApiPropertyOptional({ example: options.example, maxLength: max }) : ApiProperty({ example: options.example, maxLength: max }),
    ...(options.optional ? [IsOptional()] : []),
    IsString(),
    MinLength(options.min ?? (options.optional ? 0 : 1)),
    MaxLength(max),
  );

/** `YYYY-MM-DD` (a calendar date with no time). */
export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
