import type { OpenAPIObject, ReferenceObject, RequestBodyObject, ResponseObject, SchemaObject } from '@nestjs/swagger';

import type { FieldError } from '../common/problem';
import { titleOf } from '../common/problem.filter';
import { EXAMPLE_UUID, exampleFor, LEFT_OUT_OF_REQUEST_EXAMPLES } from './openapi-examples';
import type { RouteInfo } from './routes';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
/** The component every error answer refers to (the ProblemDetails class, named after RFC 9457). */
export const PROBLEM_SCHEMA = 'Problem';

interface StandardError {
  description: string;
  code: string;
  detail: string;
}

/** What each error status means across the API, with the code and detail a client sees most often. */
const STANDARD_ERRORS: Record<number, StandardError> = {
  400: { description: 'Invalid input; `errors` lists each field and what is wrong with it', code: 'validation-failed', detail: 'The request has 1 invalid field.' },
  401: { description: 'Missing, invalid or expired access token', code: 'unauthorized', detail: 'Authentication is required.' },
  403: { description: 'The caller lacks the permission here', code: 'forbidden', detail: 'You may not do this here.' },
  404: { description: 'No such record, or not one the caller may see (the same answer for both)', code: 'not-found', detail: 'No such resource.' },
  409: { description: 'The record’s current state does not allow this', code: 'conflict', detail: 'The record’s current state does not allow this.' },
  410: { description: 'Over for good', code: 'gone', detail: 'This is over.' },
  413: { description: 'The request body is larger than the server accepts (BODY_LIMIT_BYTES)', code: 'payload-too-large', detail: 'The request body is larger than the server accepts.' },
  422: { description: 'Well-formed but not acceptable', code: 'unprocessable', detail: 'The request cannot be processed.' },
  429: { description: 'Rate limited: wait for the number of seconds in Retry-After', code: 'rate-limited', detail: 'Too many attempts; try again in 900 seconds.' },
  503: { description: 'Temporarily unavailable', code: 'unavailable', detail: 'The database does not answer.' },
};

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', example: 900 } } };

/** `/api/v1/events/:id` → `/api/v1/events/{id}` (how OpenAPI writes path templates). */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The error statuses a route can answer, from the metadata the policy guard
 * and the validation pipe act on, plus any the route declares itself (409,
 * 429, a 401 for a wrong password…).
 */
export function errorStatusesOf(route: RouteInfo, hasBody: boolean, declared: number[]): number[] {
  const statuses = new Set(declared.filter((s) => s >= 400));
  if (hasBody || route.query || route.validatedParams.length > 0) statuses.add(400);
  if (!route.isPublic) statuses.add(401);
  // A route open to `self` passes the guard for anyone logged in: a 403 there comes from the service, and is declared.
  if (route.permissions.length > 0 && !route.permissions.includes('self')) statuses.add(403);
  if (route.path.includes(':')) statuses.add(404);
  if (hasBody) statuses.add(413);
  return [...statuses].sort((a, b) => a - b);
}

function problemExample(status: number, route: RouteInfo, hasBody: boolean, description: string | undefined): Record<string, unknown> {
  const standard = STANDARD_ERRORS[status] ?? { description: titleOf(status), code: `http-${status}`, detail: titleOf(status) };
  let { code, detail } = standard;
  let errors: FieldError[] | undefined;
  if (status === 400 && !hasBody && !route.query) {
    code = 'bad-request';
    detail = 'Validation failed (uuid is expected)';
  } else if (status === 400) {
    // Every body and query is a whitelist: the one rule all of them share.
    errors = [{ field: 'nickname', message: 'nickname is not an accepted field' }];
  } else if (status === 403 && !description) {
    detail = `This needs the ${route.permissions.join(' or ')} permission.`;
  } else if (description && status !== 401 && status !== 413 && status !== 429) {
    detail = description.endsWith('.') ? description : `${description}.`;
  }
  return {
    type: `urn:convoca:problem:${code}`,
    title: titleOf(status),
    status,
    detail,
    instance: route.path.replace(/:[A-Za-z0-9_]+/g, EXAMPLE_UUID),
    code,
    requestId: 'b3f1c7c4-5a4e-4b0e-9c55-0b9c5a7f2f11',
    ...(errors ? { errors } : {}),
  };
}

/** Property examples for every schema that does not state its own (see openapi-examples.ts). */
function fillPropertyExamples(schemas: Record<string, SchemaObject>): void {
  for (const [schemaName, schema] of Object.entries(schemas)) {
    for (const [property, value] of Object.entries(schema.properties ?? {})) {
      if ('$ref' in value || value.example !== undefined) continue;
      const example = exampleFor(schemaName, property, value);
      if (example !== undefined) value.example = example;
    }
  }
}

/** A JSON request body gets one explicit example, so that clients (and Swagger UI) show a valid request. */
function addRequestExample(body: RequestBodyObject | undefined, schemas: Record<string, SchemaObject>): void {
  const json = body?.content['application/json'];
  if (!json?.schema || json.example !== undefined || json.examples !== undefined) return;
  const { value } = assembleExample(json.schema, schemas, LEFT_OUT_OF_REQUEST_EXAMPLES);
  if (value !== undefined) json.example = value;
}

/**
 * Completes the generated OpenAPI document in one place rather than on ~90
 * routes: the RFC 9457 error answers each route can really give (derived
 * from its access policy, its inputs and its path), as
 * `application/problem+json` with an example; example values for every
 * schema property that does not declare one; and an example for every JSON
 * request body, put together from its properties.
 */
export function completeOpenApiDocument(document: OpenAPIObject, routes: RouteInfo[]): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  if (!schemas[PROBLEM_SCHEMA]) throw new Error(`The OpenAPI document lacks the ${PROBLEM_SCHEMA} schema (register ProblemDetails as an extra model).`);
  fillPropertyExamples(schemas);

  for (const route of routes) {
    const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase() as 'get'];
    if (!operation) continue;
    const responses = operation.responses as Record<string, ResponseObject>;
    const hasBody = operation.requestBody !== undefined;
    addRequestExample(operation.requestBody as RequestBodyObject | undefined, schemas);
    const declared = Object.keys(responses).map(Number);
    for (const status of errorStatusesOf(route, hasBody, declared)) {
      const own = responses[status]?.description || undefined;
      responses[status] = {
        description: own ?? STANDARD_ERRORS[status]?.description ?? titleOf(status),
        ...(status === 429 ? { headers: RETRY_AFTER } : {}),
        content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` }, example: problemExample(status, route, hasBody, own) } },
      };
    }
    for (const [status, response] of Object.entries(responses)) {
      if (!response.description) response.description = titleOf(Number(status));
    }
    operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  }
  return document;
}

export interface AssembledExample {
  /** Undefined when the schema offers nothing to build an example from. */
  value: unknown;
  /** Required properties (as paths) that have no example. */
  missing: string[];
}

const refName = (ref: string) => ref.replace('#/components/schemas/', '');

/**
 * An example for a schema, put together from its own example or its
 * properties' (following `$ref`, `allOf` and array items), with the required
 * properties that lack one. Optional properties without an example are left
 * out, as are those in `leaveOut` (`Schema.property`).
 */
export function assembleExample(
  schema: SchemaObject | ReferenceObject,
  schemas: Record<string, SchemaObject>,
  leaveOut: ReadonlySet<string> = new Set(),
  path = '',
  seen: ReadonlySet<string> = new Set(),
): AssembledExample {
  if ('$ref' in schema) {
    const name = refName(schema.$ref);
    if (seen.has(name)) return { value: undefined, missing: [] };
    const target = schemas[name];
    if (!target) return { value: undefined, missing: [path || name] };
    return assembleNamed(name, target, schemas, leaveOut, path, new Set([...seen, name]));
  }
  return assembleNamed('', schema, schemas, leaveOut, path, seen);
}

function assembleNamed(name: string, schema: SchemaObject, schemas: Record<string, SchemaObject>, leaveOut: ReadonlySet<string>, path: string, seen: ReadonlySet<string>): AssembledExample {
  if (schema.example !== undefined) return { value: schema.example, missing: [] };
  if (schema.allOf?.length) {
    const parts = schema.allOf.map((part) => assembleExample(part, schemas, leaveOut, path, seen));
    return { value: Object.assign({}, ...parts.map((p) => p.value)) as unknown, missing: parts.flatMap((p) => p.missing) };
  }
  if (schema.type === 'array' && schema.items) {
    const item = assembleExample(schema.items, schemas, leaveOut, `${path}[0]`, seen);
    return { value: item.value === undefined ? undefined : [item.value], missing: item.missing };
  }
  if (!schema.properties) return { value: undefined, missing: [] };
  const value: Record<string, unknown> = {};
  const missing: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [property, propertySchema] of Object.entries(schema.properties)) {
    if (name && leaveOut.has(`${name}.${property}`)) continue;
    const at = path ? `${path}.${property}` : property;
    const part = assembleExample(propertySchema, schemas, leaveOut, at, seen);
    if (part.value !== undefined) {
      value[property] = part.value;
      missing.push(...part.missing);
    } else if (required.has(property)) {
      missing.push(at);
    }
  }
  return { value, missing };
}
