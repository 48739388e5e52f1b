import type { JSX, VNode } from 'preact';

import type { EventListItem, EventSummary } from '../../events/events.views';
import type { PageContext } from '../page-context';
import { isoWithOffset } from './event';

/**
 * A link within the pages with its query: empty values left out, `lang`
 * kept when the reader chose it, `embed=1` kept inside a frame.
 */
export function pageHref(page: PageContext, path: string, params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
  if (page.t.explicit) query.set('lang', page.t.locale);
  if (page.embed) query.set('embed', '1');
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** Inside another site's frame, a link to another page opens in a new tab (that page may not allow the frame). */
export const outOfFrame = (page: PageContext): Pick<JSX.AnchorHTMLAttributes<HTMLAnchorElement>, 'target' | 'rel'> => (page.embed ? { target: '_blank', rel: 'noopener' } : {});

/** Where a listed event is, as far as the list row says (the address only when shown). */
function placeOf(e: EventSummary, page: PageContext): string {
  const parts = [e.venue, e.locationHidden ? null : e.address, e.locality, e.region].filter((p): p is string => !!p);
  return parts.length ? parts.join(', ') : e.onlineUrl ? page.t.t('event.online') : '';
}

/**
 * Upcoming events, each linking to its page: what, when (in the event's own
 * time zone), where. One listed because the page's organisation or coalition
 * promotes it says so, and links with its ref (issue 22): signups from here
 * count as the promoter's referrals.
 */
export function EventList({ page, events }: { page: PageContext; events: EventListItem[] }): VNode {
  const { t } = page;
  return (
    <ul class="plain events">
      {events.map((e) => {
        const starts = new Date(e.startsAt);
        const place = placeOf(e, page);
        return (
          <li key={e.id}>
            <a href={pageHref({ ...page, embed: false }, `/e/${e.id}`, { ref: e.promotionRef ?? undefined })} {...outOfFrame(page)}>
              <strong>{e.title}</strong>
            </a>
            {e.promotedBy && (
              <>
                <br />
                <span class="badge">
                  {t.t('event.promotedBy')} {e.promotedBy}
                </span>
              </>
            )}
            <br />
            <time dateTime={isoWithOffset(starts, e.timezone)}>{t.date(starts, e.timezone)}</time> · {t.timeRange(starts, new Date(e.endsAt), e.timezone)}
            <br />
            <span class="muted">
              {t.t('event.kind', { kind: e.kind })}
              {place && ` · ${place}`}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

export interface ChoiceFieldProps {
  page: PageContext;
  name: string;
  label: string;
  value?: string;
  error?: string;
  /** [value, label]; the first is usually "any" with the value ''. */
  options: [string, string][];
}

/** A labelled `<select>` with its error, as Field lays out an input. */
export function ChoiceField({ name, label, value, error, options }: ChoiceFieldProps): VNode {
  const id = `f-${name}`;
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {error && (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <select id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        {options.map(([v, l]) => (
          <option key={v} value={v} selected={v === (value ?? '')}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}

export interface NumberFieldProps {
  name: string;
  label: string;
  value?: string;
  min: number;
  max: number;
  /** The ids of the hint and error this input is described by (a fieldset's). */
  describedBy?: string;
  invalid?: boolean;
}

/** A labelled decimal input (`step="any"`: Field's inputs would refuse -12.0464). */
export function NumberField({ name, label, value, min, max, describedBy, invalid }: NumberFieldProps): VNode {
  const id = `f-${name}`;
  return (
    <div class={invalid ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      <input id={id} name={name} type="number" step="any" min={min} max={max} value={value ?? ''} aria-invalid={invalid ? 'true' : undefined} aria-describedby={describedBy} />
    </div>
  );
}
