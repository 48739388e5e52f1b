import type { TextChannel } from '../../outbox/outbox-message.entity';
import type { TextContent } from '../../outbox/text-templates';

/** One text to send: the number (E.164), what to say, and the outbox message's id (the provider may echo it as a reference). */
export interface OutgoingText {
  to: string;
  content: TextContent;
  locale: string;
  reference: string;
}

/** An inbound call as the controller received it: the raw bytes (what signatures cover), the headers, the parsed body. */
export interface InboundCall {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** What an inbound call says: replies people sent, and delivery receipts of texts sent. */
export interface InboundNews {
  replies: { from: string; text: string }[];
  receipts: { providerMessageId: string; status: string }[];
}

/**
 * A text provider (issue 24): sends one text and returns the provider's id
 * for it (null when it gives none); checks an inbound call's signature and
 * reads it. One per channel, chosen by configuration (text-providers.ts).
 */
export interface TextProvider {
  readonly channel: TextChannel;
  send(text: OutgoingText): Promise<string | null>;
  /** True only when the call carries a valid signature of its exact raw body. */
  verifyInbound(call: InboundCall): boolean;
  readInbound(call: InboundCall): InboundNews;
}

/** A provider's refusal or a failed exchange: the worker retries it with backoff. */
export class TextSendError extends Error {
  constructor(message: string) {
    super(message.slice(0, 300));
    this.name = 'TextSendError';
  }
}

/** A provider answers within this long, or the attempt failed (and is retried). */
export const TEXT_TIMEOUT_MS = 10_000;

/**
 * POSTs to a provider (an address the operator configured: no SSRF guard,
 * https in production — config.ts), follows no redirect, and returns the
 * parsed JSON answer of a 2xx; anything else is a TextSendError.
 */
export async function postJson(url: string, headers: Record<string, string>, body: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'user-agent': 'Convoca-Texts/1', ...headers }, body, redirect: 'error', signal: AbortSignal.timeout(TEXT_TIMEOUT_MS) });
  } catch (err) {
    throw new TextSendError(`${(err as Error).name}: ${(err as Error).message}`);
  }
  const answer = (await res.text().catch(() => '')).slice(0, 4096);
  if (!res.ok) throw new TextSendError(`HTTP ${res.status}`);
  try {
    return answer ? (JSON.parse(answer) as unknown) : {};
  } catch {
    return {};
  }
}

/** A header's one value (Node gives arrays for repeated ones). */
export const header = (call: InboundCall, name: string): string => {
  const v = call.headers[name.toLowerCase()];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};
