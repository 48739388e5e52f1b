import { ApiTooManyRequestsResponse } from '@nestjs/swagger';

/**
 * Documents that the route's service counts its uses (RateLimitService) and
 * answers 429 with Retry-After; the problem body is added with the other
 * error answers (src/openapi/openapi.ts).
 */
export const RateLimited = (description = 'Rate limited: wait for the number of seconds in Retry-After'): MethodDecorator => ApiTooManyRequestsResponse({ description });
