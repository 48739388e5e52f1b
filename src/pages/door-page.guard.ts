import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';

import type { Caller, RequestWithCaller } from '../access/caller';
import { presentedDoorLink } from '../access/door-link';
import { UUID_PATTERN } from '../common/dto-fields';
import { notFound, unauthorized } from '../common/problem';
import { DoorLinksService } from '../events/door-links.service';
import type { PageContext } from './page-context';

/**
 * Who is at the door, on the door page's JSON routes (after PageGuard, which
 * read the cookie session and, on a post, checked where it came from and
 * its anti-forgery token): a door link of the event in the path, presented
 * as the API takes it (`X-Door-Link` or `Authorization: DoorLink`), checked
 * exactly as the API's DoorLinkGuard checks it — unknown or revoked: 401;
 * another event's: 404 — and then no login is looked at; or else the
 * reader's cookie session (none: 401). Which events that session may work
 * the door of is CheckInsService's to say, as for the API.
 */
@Injectable()
export class DoorPageGuard implements CanActivate {
  constructor(private readonly links: DoorLinksService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithCaller & { page?: PageContext }>();
    const page = request.page;
    if (!page) throw new Error('PageGuard did not run before DoorPageGuard');
    const eventId = (request.params as Record<string, string | undefined>).id ?? '';
    if (!UUID_PATTERN.test(eventId)) throw notFound('event');
    const secret = presentedDoorLink(request.headers);
    if (secret === null) {
      if (!page.user) throw unauthorized('Log in as an organiser or host of this event, or open its door link.');
      return true;
    }
    const link = await this.links.authenticateFor(secret, eventId);
    const caller: Caller = { user: null, requestId: String(request.id), ip: request.ip, doorLink: link };
    request.caller = caller;
    page.caller = caller;
    page.user = null;
    return true;
  }
}
