import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';

import type { Permission as PermissionName } from './permissions';

export const REQUIRED_PERMISSION = 'convoca:permission';

/**
 * The route needs a logged-in caller holding `permission` in at least one
 * scope (the guard checks that); the service then checks the concrete
 * record's scope. `self`: any logged-in user, acting on their own data.
 * Several permissions mean any one of them (e.g. a coordinator or the
 * partner's own org_admin). The 401 and 403 answers this implies are
 * documented from this metadata (src/openapi/openapi.ts).
 */
export const Permission = (...anyOf: [PermissionName, ...PermissionName[]]): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(REQUIRED_PERMISSION, anyOf), ApiBearerAuth());
