import type { WhatsAppConfig } from '../../config/config';
import { validBodySignature } from './inbound-signature';
import { header, postJson, TextSendError, type InboundCall, type InboundNews, type OutgoingText, type TextProvider } from './text-provider';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The WhatsApp Business Cloud API. Sending: POST
 * `{WHATSAPP_API_BASE_URL}/{WHATSAPP_PHONE_NUMBER_ID}/messages` with the
 * bearer WHATSAPP_TOKEN — an approved template with its body parameters for
 * a notice, a plain text for a reply to the person's own message (inside
 * the 24-hour window); the answer's `messages[0].id` is the provider's id.
 * Inbound: the webhook's POSTs, signed with X-Hub-Signature-256 (`sha256=`
 * + hex HMAC-SHA256 of the raw body under WHATSAPP_APP_SECRET): messages
 * (text, or a quick-reply button's text) and statuses (sent, delivered,
 * read, failed).
 */
export class WhatsAppCloud implements TextProvider {
  readonly channel = 'whatsapp' as const;

  constructor(private readonly config: WhatsAppConfig) {}

  async send(text: OutgoingText): Promise<string | null> {
    const to = text.to.replace(/^\+/, '');
    const template = text.content.whatsapp;
    const message = template
      ? {
          messaging_product: 'whatsapp',
          to,
          type: 'template',
          template: {
            name: template.name,
            language: { code: text.locale === 'en' ? 'en' : 'es' },
            components: [{ type: 'body', parameters: template.params.map((p) => ({ type: 'text', text: p || '-' })) }],
          },
        }
      : { messaging_product: 'whatsapp', to, type: 'text', text: { body: text.content.body } };
    const answer = obj(
      await postJson(`${this.config.baseUrl}/${this.config.phoneNumberId}/messages`, { 'content-type': 'application/json', authorization: `Bearer ${this.config.token}` }, JSON.stringify(message)),
    );
    const id = obj(list(answer.messages)[0]).id;
    if (typeof id !== 'string') throw new TextSendError('the Cloud API answered no message id');
    return id;
  }

  verifyInbound(call: InboundCall): boolean {
    return validBodySignature(this.config.appSecret, call.rawBody, header(call, 'x-hub-signature-256'));
  }

  /** The subscription handshake: GET with hub.mode=subscribe and the verify token; the answer is the challenge. */
  handshake(query: Record<string, unknown>): string | null {
    const ok = query['hub.mode'] === 'subscribe' && query['hub.verify_token'] === this.config.verifyToken && typeof query['hub.challenge'] === 'string';
    return ok ? (query['hub.challenge'] as string) : null;
  }

  readInbound(call: InboundCall): InboundNews {
    const news: InboundNews = { replies: [], receipts: [] };
    for (const entry of list(obj(call.body).entry)) {
      for (const change of list(obj(entry).changes)) {
        const value = obj(obj(change).value);
        for (const m of list(value.messages).map(obj)) {
          const text = typeof obj(m.text).body === 'string' ? obj(m.text).body : typeof obj(m.button).text === 'string' ? obj(m.button).text : null;
          if (typeof m.from === 'string' && typeof text === 'string') news.replies.push({ from: m.from.startsWith('+') ? m.from : `+${m.from}`, text });
        }
        for (const st of list(value.statuses).map(obj)) {
          if (typeof st.id === 'string' && typeof st.status === 'string') news.receipts.push({ providerMessageId: st.id, status: st.status });
        }
      }
    }
    return news;
  }
}
