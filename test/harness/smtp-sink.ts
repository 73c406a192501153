import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerError } from 'smtp-server';

/** One message as the sink received it. */
export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  parsed: ParsedMail;
  raw: Buffer;
}

export type FaultCode = 421 | 451 | 550;

export interface SmtpSinkOptions {
  /** Require AUTH with these credentials; `url` then carries them. */
  auth?: { user: string; pass: string };
  /** Listen on this port (a server coming back where one was down); default: a free one. */
  port?: number;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` (with credentials when `auth` was given). */
  readonly url: string;
  readonly port: number;
  /** In arrival order; a message is here before the client gets its 250. */
  readonly messages: readonly ReceivedMail[];
  /** SMTP sessions currently open (pooled clients keep theirs). */
  readonly openConnections: number;
  /** Resolves with the messages once `count` have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /**
   * The next `times` RCPT TO commands (or DATA, with `at: 'data'`) answer `code`.
   * A 421 also closes the connection, as a real server going away would.
   */
  failNext(code: FaultCode, times?: number, at?: 'rcpt' | 'data'): void;
  /** RCPT TO for this address answers `code` (until reset) while other recipients succeed. */
  rejectRecipient(address: string, code: number): void;
  /** Forgets messages, faults and rejected recipients. */
  reset(): void;
  close(): Promise<void>;
}

const REPLY_TEXT: Readonly<Record<number, string>> = {
  421: 'Service not available, closing transmission channel',
  450: 'Mailbox unavailable, try again later',
  451: 'Local error in processing, try again later',
  452: 'Insufficient system storage',
  550: 'Mailbox unavailable',
  551: 'User not local',
  552: 'Exceeded storage allocation',
  553: 'Mailbox name not allowed',
  554: 'Transaction failed',
};

function smtpError(code: number): SMTPServerError {
  const error: SMTPServerError = new Error(`${REPLY_TEXT[code] ?? 'Refused'} (injected by the test SMTP sink)`);
  error.responseCode = code;
  return error;
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Waiter {
  count: number;
  resolve: (messages: ReceivedMail[]) => void;
}

/** A real SMTP server on 127.0.0.1 (random port unless given, no TLS) that keeps and parses what it receives. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const faults: { code: FaultCode; at: 'rcpt' | 'data' }[] = [];
  const rejected = new Map<string, number>();
  const waiters = new Set<Waiter>();
  const { auth } = options;

  const notify = (): void => {
    for (const waiter of waiters) {
      if (messages.length >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve(messages.slice());
      }
    }
  };

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: auth === undefined,
    allowInsecureAuth: true,
    logger: false,
    disableReverseLookup: true,
    // Pooled clients keep idle sessions; do not let them hold close() for the default 30 s.
    closeTimeout: 500,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
        callback(null, { user: credentials.username });
      } else {
        const error: SMTPServerError = new Error('Invalid username or password');
        error.responseCode = 535;
        callback(error);
      }
    },
    onRcptTo(address, _session, callback) {
      const code = rejected.get(address.address.toLowerCase());
      if (code !== undefined) return callback(smtpError(code));
      if (faults[0]?.at === 'rcpt') return callback(smtpError(faults.shift()!.code));
      callback();
    },
    onData(stream, session, callback) {
      readAll(stream)
        .then(async (raw) => {
          if (faults[0]?.at === 'data') return callback(smtpError(faults.shift()!.code));
          const envelope = session.envelope;
          messages.push({
            envelopeFrom: envelope.mailFrom === false ? '' : envelope.mailFrom.address,
            envelopeTo: envelope.rcptTo.map((r) => r.address),
            parsed: await simpleParser(raw),
            raw,
          });
          callback();
          notify();
        })
        .catch((err: unknown) => {
          callback(err instanceof Error ? err : new Error(String(err)));
        });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('SMTP sink did not get a TCP port');
  const port = address.port;
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : '';

  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    port,
    messages,
    get openConnections() {
      return server.connections.size;
    },
    waitFor(count, timeoutMs = 5000) {
      if (messages.length >= count) return Promise.resolve(messages.slice());
      return new Promise<ReceivedMail[]>((resolve, reject) => {
        const waiter: Waiter = {
          count,
          resolve: (received) => {
            clearTimeout(timer);
            resolve(received);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const subjects = messages.map((m) => JSON.stringify(m.parsed.subject ?? '')).join(', ');
          reject(
            new Error(
              `SMTP sink: expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}${subjects ? ` (${subjects})` : ''}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    failNext(code, times = 1, at = 'rcpt') {
      for (let i = 0; i < times; i++) faults.push({ code, at });
    },
    rejectRecipient(address, code) {
      if (!Number.isInteger(code) || code < 400 || code > 599) throw new Error(`SMTP sink: ${code} is not a 4xx/5xx reply code`);
      rejected.set(address.toLowerCase(), code);
    },
    reset() {
      messages.length = 0;
      faults.length = 0;
      rejected.clear();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
