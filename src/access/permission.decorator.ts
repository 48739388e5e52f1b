import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ProblemDetails } from '../common/problem';
import type { Permission as PermissionName } from './permissions';

export const REQUIRED_PERMISSION = 'convoca:permission';

/**
 * The route needs a logged-in caller holding `permission` in at least one
 * scope (the guard checks that); the service then checks the concrete
 * record's scope. `self`: any logged-in user, acting on their own data.
 * Several permissions mean any one of them (e.g. a coordinator or the
 * partner's own org_admin).
 */
export const Permission = (...anyOf: [PermissionName, ...PermissionName[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_PERMISSION, anyOf),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token', type: ProblemDetails }),
    ApiForbiddenResponse({ description: 'The caller lacks this permission here', type: ProblemDetails }),
  );
