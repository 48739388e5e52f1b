import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/**
 * A loopback port nobody listens on, for a server this process is about to
 * start (an API process, the embedded PostgreSQL). Taken below the kernel's
 * ephemeral range (32768–60999 here): a port from the ephemeral range — what
 * `listen(0)` hands out — is also what every outgoing connection (to
 * PostgreSQL, to the SMTP sink) takes, so between finding it free and the
 * server binding it, another connection could take it (EADDRINUSE, seen with
 * jest's two workers starting servers). Here only another test picking the same
 * random port of 12 000 could, and then the bind is tried on the next one.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = randomInt(20_000, 32_000);
    if (await isFree(port)) return port;
    if (attempt > 50) throw new Error('no free port found between 20000 and 32000');
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
