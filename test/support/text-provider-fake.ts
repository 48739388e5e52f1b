import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTextRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A sent text as the fakes saw it: the channel, the number (E.164), the SMS text or the WhatsApp message. */
export interface FakeText {
  channel: 'sms' | 'whatsapp';
  to: string;
  /** The SMS text, or a WhatsApp text message's body. */
  text: string | null;
  /** A WhatsApp template message: its name, language and body parameters. */
  template: { name: string; language: string; params: string[] } | null;
  request: FakeTextRequest;
}

export interface TextProviderFake {
  /** http://127.0.0.1:<port>/sms — SMS_GATEWAY_URL */
  smsUrl: string;
  /** http://127.0.0.1:<port>/graph — WHATSAPP_API_BASE_URL */
  whatsappUrl: string;
  sent: FakeText[];
  to(number: string, channel?: 'sms' | 'whatsapp'): FakeText[];
  /** The next `n` sends are refused with a 503. */
  failNext(n: number): void;
  close(): Promise<void>;
}

/**
 * A local stand-in for an HTTP SMS gateway (POST /sms, JSON from
 * SMS_GATEWAY_BODY) and the WhatsApp Cloud API (POST
 * /graph/{phone-number-id}/messages): records every request and answers
 * with a provider id, or fails on demand.
 */
export async function startTextProviderFake(): Promise<TextProviderFake> {
  const sent: FakeText[] = [];
  let failing = 0;
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const request = { path: req.url ?? '', headers: req.headers, body };
      if (failing > 0) {
        failing--;
        res.writeHead(503).end('busy');
        return;
      }
      const id = `prov-${++seq}`;
      if (request.path === '/sms') {
        sent.push({ channel: 'sms', to: String(body.to), text: String(body.text), template: null, request });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
        return;
      }
      if (/^\/graph\/\d+\/messages$/.test(request.path)) {
        const template = body.template as { name: string; language: { code: string }; components: { parameters: { text: string }[] }[] } | undefined;
        sent.push({
          channel: 'whatsapp',
          to: `+${String(body.to)}`,
          text: (body.text as { body?: string } | undefined)?.body ?? null,
          template: template ? { name: template.name, language: template.language.code, params: template.components[0].parameters.map((p) => p.text) } : null,
          request,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: `wamid.${id}` }] }));
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    smsUrl: `http://127.0.0.1:${port}/sms`,
    whatsappUrl: `http://127.0.0.1:${port}/graph`,
    sent,
    to: (number, channel) => sent.filter((s) => s.to === number && (!channel || s.channel === channel)),
    failNext: (n) => (failing = n),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `sha256=` + hex HMAC-SHA256 of the body: how the gateway and WhatsApp sign their inbound calls. */
export const signBody = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
