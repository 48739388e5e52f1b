import type { SmsConfig } from '../../config/config';
import { validBodySignature } from './inbound-signature';
import { header, postJson, TextSendError, type InboundCall, type InboundNews, type OutgoingText, type TextProvider } from './text-provider';

/** JSON-escapes a value for where a placeholder stands inside a JSON string. */
const jsonInner = (v: string) => JSON.stringify(v).slice(1, -1);

/**
 * A generic HTTP SMS gateway (SMS_PROVIDER=http). Sending: POST to
 * SMS_GATEWAY_URL the JSON body of SMS_GATEWAY_BODY with {{to}}, {{text}}
 * and {{reference}} filled in, with `Authorization: Bearer
 * SMS_GATEWAY_TOKEN` when set; any 2xx is accepted, and the answer's `id`
 * (or `messageId`, `message_id`, `sid`) is the provider's id. Inbound: the
 * gateway POSTs JSON — a reply `{"from": "+51…", "text": "SI"}` or a receipt
 * `{"id": "…", "status": "delivered"}` — signed with X-Convoca-Signature:
 * `sha256=` + hex HMAC-SHA256 of the raw body under SMS_GATEWAY_INBOUND_SECRET.
 */
export class HttpSmsGateway implements TextProvider {
  readonly channel = 'sms' as const;

  constructor(private readonly config: SmsConfig) {}

  async send(text: OutgoingText): Promise<string | null> {
    const values: Record<string, string> = { to: text.to, text: text.content.body, reference: text.reference };
    const body = this.config.bodyTemplate.replace(/\{\{(to|text|reference)\}\}/g, (_m, key: string) => jsonInner(values[key]));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    const answer = (await postJson(this.config.gatewayUrl, headers, body)) as Record<string, unknown> | null;
    const id = answer && typeof answer === 'object' ? (answer.id ?? answer.messageId ?? answer.message_id ?? answer.sid) : null;
    if (id !== null && id !== undefined && typeof id !== 'string' && typeof id !== 'number') throw new TextSendError('the gateway answered an id that is not a string');
    return id === null || id === undefined ? null : String(id);
  }

  verifyInbound(call: InboundCall): boolean {
    return validBodySignature(this.config.inboundSecret, call.rawBody, header(call, 'x-convoca-signature'));
  }

  readInbound(call: InboundCall): InboundNews {
    const news: InboundNews = { replies: [], receipts: [] };
    const b = call.body as Record<string, unknown> | null;
    if (!b || typeof b !== 'object') return news;
    if (typeof b.from === 'string' && typeof b.text === 'string') news.replies.push({ from: b.from, text: b.text });
    if ((typeof b.id === 'string' || typeof b.id === 'number') && typeof b.status === 'string') news.receipts.push({ providerMessageId: String(b.id), status: b.status });
    return news;
  }
}
