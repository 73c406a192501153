/**
 * A local SMTP sink for the benchmark, run as a child process so it does not share an event
 * loop with the worker: it accepts every message, reads its Message-ID and counts messages and
 * distinct ids (a duplicate shows as count > distinct). No parsing beyond the header line.
 */
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export type CounterRequest = { type: 'stats' };
export type CounterMessage =
  { type: 'ready'; port: number } | { type: 'stats'; messages: number; distinct: number; firstAt: number | null; lastAt: number | null };

const ids = new Set<string>();
let messages = 0;
let firstAt: number | null = null;
let lastAt: number | null = null;

async function headerOf(stream: SMTPServerDataStream): Promise<string> {
  let head = '';
  for await (const chunk of stream) {
    if (head.length < 16_384) head += (chunk as Buffer).toString('latin1');
  }
  return head;
}

const server = new SMTPServer({
  secure: false,
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  disableReverseLookup: true,
  closeTimeout: 500,
  size: 1024 * 1024,
  onData(stream, _session, callback) {
    headerOf(stream)
      .then((head) => {
        const id = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(head)?.[1] ?? `missing-${messages}`;
        messages++;
        ids.add(id);
        lastAt = Date.now();
        firstAt ??= lastAt;
        callback();
      })
      .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
  },
});

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ type: 'ready', port } satisfies CounterMessage);
});

const isStatsRequest = (m: unknown): m is CounterRequest => typeof m === 'object' && m !== null && 'type' in m && m.type === 'stats';

process.on('message', (message: unknown) => {
  if (isStatsRequest(message)) process.send?.({ type: 'stats', messages, distinct: ids.size, firstAt, lastAt } satisfies CounterMessage);
});
// Ends with the parent.
process.on('disconnect', () => server.close(() => process.exit(0)));
