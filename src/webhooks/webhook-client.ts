import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { checkLiteral, guardedLookup, parseWebhookUrl } from './webhook-url';

/** Bytes of an answer read at most: a receiver's answer is not needed beyond its status, and a huge one is not read. */
export const MAX_ANSWER_BYTES = 4096;

export interface PostOptions {
  timeoutMs: number;
  allowPrivateHosts: readonly string[];
  production: boolean;
}

/** How an attempt went: the receiver's status (2xx: delivered), or why there was none. */
export type AttemptOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/**
 * POSTs one signed webhook body, once. The URL is checked again (https in
 * production), the address is checked at connection time (guardedLookup),
 * redirects are not followed (a 3xx is a failure: the specification's
 * senders do the same, and a redirect could point anywhere), the whole
 * exchange is cut off after `timeoutMs`, and at most MAX_ANSWER_BYTES of the
 * answer are read. No connection is kept alive between attempts.
 */
export function postWebhook(rawUrl: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<AttemptOutcome> {
  let url: URL;
  try {
    url = parseWebhookUrl(rawUrl, options.production);
    checkLiteral(url, options.allowPrivateHosts);
  } catch (err) {
    return Promise.resolve({ ok: false, status: null, error: `refused: ${(err as Error).message}` });
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    const req = send(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: guardedLookup(url, options.allowPrivateHosts),
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Convoca-Webhooks/1', ...headers },
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        const done = () =>
          settle(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}` });
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read >= MAX_ANSWER_BYTES) done();
        });
        res.on('end', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => settle({ ok: false, status: null, error: `timed out after ${options.timeoutMs} ms` }), options.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const refused = err.name === 'UnsafeWebhookUrl';
      settle({ ok: false, status: null, error: refused ? `refused: ${err.message}` : `${err.code ?? 'error'}: ${err.message}`.slice(0, 300) });
    });
    req.end(body);
  });
}
