import { applyDecorators, Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

import { callerOf, type RequestWithCaller } from '../access/caller';
import { ACCEPTS_DOOR_LINK, presentedDoorLink } from '../access/door-link';
import { DoorLinksService } from './door-links.service';

/**
 * Checks the door link a request presents, on the routes that accept one
 * (after the policy guard, which let it through unchecked): a live link of
 * the event in the path (`:id`) becomes the caller's credential; an unknown
 * or revoked one is a 401, another event's link a 404 (that event does not
 * exist for it). A request with a login instead passes untouched.
 */
@Injectable()
export class DoorLinkGuard implements CanActivate {
  constructor(private readonly links: DoorLinksService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    if (!request.doorLinkPending) return true;
    const link = await this.links.authenticateFor(presentedDoorLink(request.headers) ?? '', (request.params as Record<string, string | undefined>).id ?? '');
    request.doorLinkPending = false;
    callerOf(request).doorLink = link;
    return true;
  }
}

/**
 * The route also takes a door link of the event in its path instead of a
 * login (src/access/door-link.ts): the metadata the policy guard and the
 * route listing read, the guard that checks the link, and its OpenAPI
 * security scheme — always together.
 */
export const DoorLinkAccepted = (): MethodDecorator => applyDecorators(SetMetadata(ACCEPTS_DOOR_LINK, true), UseGuards(DoorLinkGuard), ApiSecurity('DoorLink'));
