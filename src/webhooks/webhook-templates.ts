import { registerTemplates } from '../outbox/templates';

/**
 * The e-mail the admins of an organisation (or the coordinators of a
 * coalition) get when the worker disables one of its webhook endpoints after
 * a day of failures. Payload (strings): `owner`, `url`, `since` (ISO),
 * `lastError`.
 */
type Payload = Record<string, unknown>;
const s = (p: Payload, key: string): string => (typeof p[key] === 'string' ? p[key] : '');

export function registerWebhookTemplates(): void {
  registerTemplates({
    'webhook.disabled': {
      es: (p) => ({
        subject: `Webhook desactivado: ${s(p, 'url')}`,
        paragraphs: [
          `Convoca desactivó un webhook de ${s(p, 'owner')}: ${s(p, 'url')}.`,
          `Todos los envíos fallaron desde ${s(p, 'since')}${s(p, 'lastError') ? ` (último error: ${s(p, 'lastError')})` : ''}.`,
          'Cuando el receptor funcione, vuelve a activarlo (PATCH /api/v1/webhooks/{id} con enabled: true) y reenvía lo que falló desde su registro de envíos.',
        ],
      }),
      en: (p) => ({
        subject: `Webhook disabled: ${s(p, 'url')}`,
        paragraphs: [
          `Convoca disabled a webhook of ${s(p, 'owner')}: ${s(p, 'url')}.`,
          `Every delivery has failed since ${s(p, 'since')}${s(p, 'lastError') ? ` (last error: ${s(p, 'lastError')})` : ''}.`,
          'Once the receiver works, enable it again (PATCH /api/v1/webhooks/{id} with enabled: true) and replay what failed from its delivery log.',
        ],
      }),
    },
  });
}
