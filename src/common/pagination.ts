import type { Type as Class } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

import { UUID_PATTERN } from './dto-fields';
import { badRequest, type AppError } from './problem';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

/** Query parameters every list accepts. Extend it with the list's filters. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}

/** Keyset cursors: the sort key of the last row, base64url JSON. Never OFFSET. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The one answer to a cursor this API did not issue (or one of another list). */
export function invalidCursor(): AppError {
  return badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
}

export function decodeCursor<T extends unknown[]>(cursor: string | undefined): T | null {
  if (!cursor) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value as T;
  } catch {
    // fall through
  }
  throw invalidCursor();
}

/** What one part of a keyset cursor must look like, checked before it reaches SQL (a malformed one is a 400, never a 500). */
export type CursorPart = 'uuid' | 'integer' | 'timestamp' | 'date' | 'string';

const CURSOR_PARTS: Record<CursorPart, (v: unknown) => boolean> = {
  uuid: (v) => typeof v === 'string' && UUID_PATTERN.test(v),
  // A bigint key (a sequence): digits only, and within bigint's range (a larger one would reach SQL as an error).
  integer: (v) => /^\d{1,19}$/.test(String(v)) && BigInt(String(v)) <= 9223372036854775807n,
  timestamp: (v) => typeof v === 'string' && !Number.isNaN(new Date(v).getTime()),
  date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
  string: (v) => typeof v === 'string',
};

/** A keyset cursor whose parts have the given shapes (`decodeCursorAs(q.cursor, 'timestamp', 'uuid')`), or null without one. */
export function decodeCursorAs<T extends unknown[]>(cursor: string | undefined, ...parts: CursorPart[]): T | null {
  const key = decodeCursor<unknown[]>(cursor);
  if (!key) return null;
  if (key.length !== parts.length || !parts.every((kind, i) => CURSOR_PARTS[kind](key[i]))) throw invalidCursor();
  return key as T;
}

/**
 * Turns `limit + 1` rows fetched in keyset order into a page: the extra row
 * only says that there is a next page, whose cursor is the last row's key.
 */
export function toPage<R, T = R>(rows: R[], limit: number, keyOf: (row: R) => (string | number)[], map: (row: R) => T = (r) => r as unknown as T): Page<T> {
  const kept = rows.slice(0, limit);
  return { items: kept.map(map), nextCursor: rows.length > limit ? encodeCursor(keyOf(kept[kept.length - 1])) : null };
}

/**
 * The OpenAPI shape of a page of `item`: a class named `<Item>Page` (without
 * a `View` suffix) for `@ApiOkResponse({ type })`. Call it once per item.
 */
export function PageOf(item: Class, name = `${item.name.replace(/View$/, '')}Page`): Class<Page<unknown>> {
  class PageOfItems {
    items: unknown[];
    nextCursor: string | null;
  }
  ApiProperty({ type: [item] })(PageOfItems.prototype, 'items');
  ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })(PageOfItems.prototype, 'nextCursor');
  Object.defineProperty(PageOfItems, 'name', { value: name });
  return PageOfItems;
}
