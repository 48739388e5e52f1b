import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { forbidden } from '../common/problem';
import { refuseUnreadBody } from '../common/request-input';
import { TOKEN_SELF_ROUTES } from './api-token';
import { AUTHENTICATOR, type Authenticator } from './authenticator';
import { callerOf, type RequestWithCaller } from './caller';
import { ACCEPTS_DOOR_LINK, presentedDoorLink } from './door-link';
import { REQUIRED_PERMISSION } from './permission.decorator';
import { grantAllows, type Permission } from './permissions';
import { IS_PUBLIC } from './public.decorator';

/**
 * The first of the two authorization layers, applied to every route. It
 * fails closed: a route that declares neither `@Public()` nor
 * `@Permission(...)` is refused to everyone, whatever the caller holds.
 * The second layer — is this record inside the caller's scope — is the
 * service's job (AccessService).
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true;
    const anyOf = this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSION, targets);
    const request = context.switchToHttp().getRequest<RequestWithCaller>();

    if (isPublic) {
      // Public routes still recognise a logged-in caller (members see more),
      // but a bad token there just means "anonymous".
      if (typeof request.headers.authorization === 'string') {
        try {
          request.user = await this.authenticator.authenticateBearer(request);
        } catch {
          request.user = undefined;
        }
      }
      callerOf(request);
      refuseUnreadBody(context);
      return true;
    }
    if (!anyOf?.length) throw forbidden('This route declares no access policy, so nobody may use it.');

    // A route that accepts a door link, presented one: no login is looked at. The route's own guard
    // (DoorLinkGuard, put there with the metadata) checks it next; until it has, no caller can be read.
    if (this.reflector.getAllAndOverride<boolean>(ACCEPTS_DOOR_LINK, targets) === true && presentedDoorLink(request.headers) !== null) {
      request.user = undefined;
      request.doorLinkPending = true;
      refuseUnreadBody(context);
      return true;
    }

    const user = await this.authenticator.authenticateBearer(request); // 401 when missing, expired, forged or revoked
    request.user = user;
    const holds = (p: Permission) => user.isPlatformAdmin || user.roles.some((r) => grantAllows(r, p));
    if (user.apiToken) {
      // An API token is nobody's login: `self` lets it through only on the routes that serve organisers (api-token.ts).
      const selfRoute = anyOf.includes('self') ? TOKEN_SELF_ROUTES[`${request.method} ${request.routeOptions.url}`] : undefined;
      if (!anyOf.some((p) => p !== 'self' && holds(p)) && !(selfRoute && holds(selfRoute))) {
        throw forbidden(
          anyOf.includes('self') && !selfRoute
            ? 'An API token acts for an organisation, not as a person: log in for this.'
            : `This API token does not hold the ${anyOf.filter((p) => p !== 'self').join(' or ') || selfRoute} permission.`,
        );
      }
      callerOf(request);
      refuseUnreadBody(context);
      return true;
    }
    if (anyOf.includes('self') || anyOf.some(holds)) {
      callerOf(request);
      refuseUnreadBody(context);
      return true;
    }
    throw forbidden(`This needs the ${anyOf.join(' or ')} permission.`);
  }
}
