import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** One field-level error inside a 400 problem. */
export class FieldError {
  @ApiProperty({ example: 'email' })
  field: string;

  @ApiProperty({ example: 'email must be an email' })
  message: string;
}

/** RFC 9457 problem details, as every error answer of the API is shaped (`application/problem+json`). */
@ApiSchema({ name: 'Problem', description: 'RFC 9457 problem details; `code` is stable, `detail` is for people, `errors` lists field errors of a 400.' })
export class ProblemDetails {
  @ApiProperty({ example: 'urn:convoca:problem:validation-failed' })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request has 1 invalid field.' })
  detail: string;

  @ApiProperty({ example: '/api/v1/organisations', description: 'The path that was requested' })
  instance?: string;

  @ApiProperty({ example: 'validation-failed', description: 'Stable machine-readable error code.' })
  code: string;

  @ApiProperty({ example: 'b3f1c7c4-5a4e-4b0e-9c55-0b9c5a7f2f11', description: 'Also in the x-request-id header; quote it when reporting a problem' })
  requestId: string;

  @ApiPropertyOptional({ type: [FieldError], description: 'Field errors (400 for invalid input)' })
  errors?: FieldError[];
}

/**
 * A domain error: services throw these, the global filter turns them into
 * problem+json. `code` is stable and documented; `detail` is for people.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors?: FieldError[],
    /** Extra response headers (e.g. Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, detail: string, errors?: FieldError[]) => new AppError(400, code, detail, errors);
export const unauthorized = (detail = 'Authentication is required.') => new AppError(401, 'unauthorized', detail);
export const forbidden = (detail = 'You may not do this here.') => new AppError(403, 'forbidden', detail);
/** Also used when the caller may not see the record: never confirm it exists. */
export const notFound = (what = 'resource') => new AppError(404, 'not-found', `No such ${what}.`);
export const conflict = (code: string, detail: string) => new AppError(409, code, detail);
/** What was there is over for good (a door's check-in window after the event). */
export const gone = (code: string, detail: string) => new AppError(410, code, detail);
export const unprocessable = (code: string, detail: string) => new AppError(422, code, detail);
export const tooManyRequests = (detail = 'Too many requests; try again later.') => new AppError(429, 'rate-limited', detail);
