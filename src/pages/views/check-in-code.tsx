import type { VNode } from 'preact';

import { qrPath } from '../../common/qr';
import { QR_PREFIX } from '../../events/check-in-codes';
import type { CheckInCodeView } from '../../events/events.views';
import type { PageContext } from '../page-context';

/**
 * A seat holder's check-in code, to show at the door: the QR code (an inline
 * SVG path, no style attribute, no script: the pages' CSP) and the short
 * code to read out. `id` keeps the heading's id unique on a page of several.
 */
export function CheckInCode({ page, checkIn, id }: { page: PageContext; checkIn: CheckInCodeView; id: string }): VNode {
  const { t } = page;
  const { side, d } = qrPath(`${QR_PREFIX}${checkIn.token}`);
  return (
    <section class="door-code" aria-labelledby={`${id}-title`} data-checkin-code={checkIn.code}>
      <h2 id={`${id}-title`}>{t.t('checkin.codeTitle')}</h2>
      <svg class="qr" viewBox={`0 0 ${side} ${side}`} role="img" aria-label={t.t('checkin.qrAlt', { code: checkIn.code })} shape-rendering="crispEdges">
        <rect width={side} height={side} fill="#fff" />
        <path d={d} fill="#000" />
      </svg>
      <p class="short-code">{checkIn.code}</p>
      <p class="hint">{t.t('checkin.codeHelp')}</p>
    </section>
  );
}
