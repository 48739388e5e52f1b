import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  to: string[];
  subject: string;
  messageId: string;
  raw: string;
}

export interface SmtpSink {
  url: string;
  port: number;
  mails: SunkMail[];
  /** Reject the next `n` messages with a temporary error (451); Infinity = all. */
  failNext(n: number): void;
  /** Delay before accepting each message (to have messages in flight). */
  setDelay(ms: number): void;
  /** The tokens of the links (`…/account/reset-password/{token}`, `…/signups/manage/{token}`, …) found in mails to `address`. */
  tokensFor(address: string): string[];
  waitFor(predicate: (mails: SunkMail[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps what it receives: the seam for mail tests. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SunkMail[] = [];
  let failures = 0;
  let delay = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // Do not wait for idle pooled client connections when the test ends.
    closeTimeout: 100,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        void (async () => {
          if (delay) await sleep(delay);
          if (failures > 0) {
            failures--;
            const err = Object.assign(new Error('Mailbox temporarily unavailable for rosa@example.org'), { responseCode: 451 });
            callback(err);
            return;
          }
          const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(raw)?.[1]?.trim() ?? '';
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: header('Subject'), messageId: header('Message-ID'), raw });
          callback();
        })();
      });
    },
  });
  // A client killed mid-conversation (the crash tests do that on purpose)
  // resets its socket: expected here, not a failure of the test run.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    mails,
    failNext: (n) => (failures = n),
    setDelay: (ms) => (delay = ms),
    tokensFor(address) {
      const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      return mails
        .filter((m) => m.to.includes(address.toLowerCase()) || m.to.includes(address))
        .flatMap((m) => [...unfolded(m.raw).matchAll(/\/(?:signups\/manage|account\/[a-z-]+)\/([A-Za-z0-9_-]{20,})/g)].map((x) => x[1]))
        .filter((v, i, all) => all.indexOf(v) === i);
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      const start = Date.now();
      while (!predicate(mails)) {
        if (Date.now() - start > timeoutMs) throw new Error(`SMTP sink: condition not met in ${timeoutMs} ms (${mails.length} mails)`);
        await sleep(25);
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
