/**
 * Moved to events.views.ts. Kept for the members module's import of
 * EventSignupExport (src/members/dto/member-views.dto.ts) until it imports
 * from '../../events/events.views'; then delete this file.
 */
export { EventSignupExport } from './events.views';
