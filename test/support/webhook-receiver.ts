import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers the next requests. */
export type ReceiverMode = { kind: 'ok' } | { kind: 'fail'; status: number } | { kind: 'hang' } | { kind: 'redirect'; to: string } | { kind: 'huge' };

export interface WebhookReceiver {
  /** http://127.0.0.1:<port>/hook */
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** The next `n` requests get a 500, then 204s again. */
  failNext(n: number): void;
  /** From now on, answer this way (until `mode({ kind: 'ok' })`). */
  mode(mode: ReceiverMode): void;
  /** Bytes the last `huge` answer wrote before the client went away. */
  hugeBytesWritten(): number;
  close(): Promise<void>;
}

/** A tiny webhook receiver on loopback: records every request, answers 204 unless told otherwise. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let failing = 0;
  let current: ReceiverMode = { kind: 'ok' };
  let hugeWritten = 0;
  const hanging = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (failing > 0) {
        failing--;
        res.writeHead(500).end('receiver down');
        return;
      }
      switch (current.kind) {
        case 'ok':
          res.writeHead(204).end();
          return;
        case 'fail':
          res.writeHead(current.status).end('no');
          return;
        case 'hang':
          hanging.add(res);
          return;
        case 'redirect':
          res.writeHead(302, { location: current.to }).end();
          return;
        case 'huge': {
          // 50 MB, written as fast as the client reads: it should stop reading after a few KB.
          hugeWritten = 0;
          res.writeHead(200, { 'content-type': 'text/plain' });
          const chunk = Buffer.alloc(64 * 1024, 'x');
          const write = () => {
            while (hugeWritten < 50 * 2 ** 20 && !res.destroyed) {
              hugeWritten += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', write);
            }
            res.end();
          };
          res.on('close', () => undefined);
          write();
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    failNext: (n) => (failing = n),
    mode: (m) => (current = m),
    hugeBytesWritten: () => hugeWritten,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
