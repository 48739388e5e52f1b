import type { Type } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';

type JsonType = 'string' | 'number' | 'boolean';
interface PropertySchema {
  type: JsonType | [JsonType, 'null'];
  format?: 'date-time';
}

/** JSON types of the @ApiProperty types a flat model may use (by constructor name; enums are strings). */
const SCALARS: Record<string, PropertySchema> = {
  String: { type: 'string' },
  string: { type: 'string' },
  Number: { type: 'number' },
  Boolean: { type: 'boolean' },
  Date: { type: 'string', format: 'date-time' },
};

/** The JSON type of one documented property (its @ApiProperty metadata). */
function propertySchema(model: Type, name: string): PropertySchema {
  const meta = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, model.prototype as object, name) as { type?: unknown; enum?: unknown[]; nullable?: boolean; isArray?: boolean };
  const key = meta.enum ? 'string' : typeof meta.type === 'function' ? meta.type.name : String(meta.type);
  const found = SCALARS[key];
  if (!found || meta.isArray) throw new Error(`${model.name}.${name}: only flat scalar properties can have a compiled serializer`);
  return meta.nullable ? { ...found, type: [found.type as JsonType, 'null'] } : found;
}

/**
 * The fastify response schema of a page (`{ items, nextCursor }`) of
 * `model`, built from its @ApiProperty fields in declaration order: fastify
 * then writes the answer with a serializer compiled for that shape
 * (fast-json-stringify) instead of JSON.stringify — for the busiest lists.
 * Flat models only (strings, numbers, booleans, dates, enums); anything else
 * throws at start-up. A property without @ApiProperty would be left out of
 * the answer, which the event list's e2e test would catch (it compares the
 * body with JSON.stringify of what the service returned).
 */
export function pageResponseSchema(model: Type): Record<string, unknown> {
  const names = ((Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, model.prototype as object) ?? []) as string[]).map((k) => k.slice(1));
  if (!names.length) throw new Error(`${model.name} documents no properties`);
  return {
    type: 'object',
    properties: {
      items: { type: 'array', items: { type: 'object', properties: Object.fromEntries(names.map((n) => [n, propertySchema(model, n)])) } },
      nextCursor: { type: ['string', 'null'] },
    },
  };
}
