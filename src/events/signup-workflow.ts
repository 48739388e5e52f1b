import type { SignupStatus } from './event-signup.entity';

/** What organisers and event hosts may set a signup to (PATCH): attended, no_show or cancelled. */
export type OrganiserStatus = Extract<SignupStatus, 'attended' | 'no_show' | 'cancelled'>;

/** Who may change a signup's status to what, from what (the target status → the statuses it may come from). */
export const ORGANISER_TRANSITIONS: Record<OrganiserStatus, readonly SignupStatus[]> = {
  attended: ['going', 'no_show', 'attended'],
  no_show: ['going', 'attended', 'no_show'],
  cancelled: ['going', 'waitlisted', 'cancelled'],
};

/** Statuses a signup may be cancelled from (by the person, an organiser or an erasure); cancelled itself is left as is. */
export const CANCELLABLE: readonly SignupStatus[] = ['going', 'waitlisted'];

/** Statuses a check-in at the door may come from: someone holding a seat. */
export const CHECK_IN_FROM: readonly SignupStatus[] = ['going', 'attended', 'no_show'];

export function organiserMayMove(from: SignupStatus, to: OrganiserStatus): boolean {
  return ORGANISER_TRANSITIONS[to].includes(from);
}
