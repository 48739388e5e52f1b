import type { IncomingHttpHeaders } from 'node:http';

/**
 * A door link (issue 21): a credential that is not a login, for a volunteer
 * at an event's door. A route accepts one only when it says so
 * (`ACCEPTS_DOOR_LINK`, set by the events module's `@DoorLinkAccepted()`,
 * which also puts the guard that checks it on the route); everywhere else the
 * header means nothing and the caller needs a login as usual.
 *
 * The secret travels as `Authorization: DoorLink <secret>` or as
 * `X-Door-Link: <secret>`, never in a URL (the door page keeps it in the
 * fragment of its own address, which no server sees).
 */
export const ACCEPTS_DOOR_LINK = 'convoca:accepts-door-link';

/** The door link a request was let in with: what its audit entries name, and the one event it may act on. */
export interface DoorLinkCredential {
  id: string;
  eventId: string;
  label: string;
}

const SCHEME = /^DoorLink\s+(\S+)\s*$/i;

/** The door link secret the request presents, if any (either header); an empty value counts as presented, and fails. */
export function presentedDoorLink(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && /^DoorLink\b/i.test(authorization)) return SCHEME.exec(authorization)?.[1] ?? '';
  const header = headers['x-door-link'];
  if (header === undefined) return null;
  return (Array.isArray(header) ? header[0] : header).trim();
}
