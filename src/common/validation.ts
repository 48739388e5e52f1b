import { ValidationPipe, type ValidationError } from '@nestjs/common';

import { badRequest, type AppError, type FieldError } from './problem';

/** Flattens nested class-validator errors into `a.b[0].c` field paths. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = /^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : prefix ? `${prefix}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      // class-validator names an unknown field "property x should not exist".
      out.push({ field, message: message.replace(/^property (\S+) should not exist$/, '$1 is not an accepted field') });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** The 400 for invalid input: one entry per broken rule, counted per field. */
export function validationProblem(fieldErrors: FieldError[]): AppError {
  const fields = new Set(fieldErrors.map((e) => e.field)).size;
  return badRequest('validation-failed', `The request has ${fields} invalid field${fields === 1 ? '' : 's'}.`, fieldErrors);
}

/**
 * The one validation pipe: DTOs are whitelists (OWASP API3 — no mass
 * assignment), so an unknown field is a 400, not silently dropped.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      return validationProblem(flattenValidationErrors(errors));
    },
  });
}
