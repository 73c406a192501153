import { isStartMessage, isUsageRequest, type ChildMessage, type StartMessage } from '../harness/protocol';

export interface ServingServer {
  readonly port: number;
  close(): Promise<void>;
}

const CLOSE_TIMEOUT_MS = 5_000;

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

/**
 * The child side of bench/harness/children.ts: waits for the parent's start message, serves,
 * reports the port, and closes on SIGTERM or when the parent goes away. Ctrl-C in a terminal
 * reaches the whole process group: the child ignores it and lets the parent stop it.
 */
export function serveChild(serve: (start: StartMessage) => Promise<ServingServer>): void {
  if (!process.send) {
    process.stderr.write('this script is started by the bench runner (npm run bench:<scenario>), not directly\n');
    process.exit(2);
  }
  let server: ServingServer | undefined;
  let closing = false;
  const shutdown = (code: number): void => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(code), CLOSE_TIMEOUT_MS).unref();
    void (server?.close() ?? Promise.resolve()).then(
      () => process.exit(code),
      (error: unknown) => {
        process.stderr.write(`closing failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => undefined);
  process.once('SIGTERM', () => shutdown(0));
  process.once('disconnect', () => shutdown(0));
  let started = false;
  process.on('message', (message: unknown) => {
    if (isUsageRequest(message)) {
      void send({ type: 'usage', ...process.cpuUsage() });
      return;
    }
    if (started || !isStartMessage(message)) {
      void send({ type: 'failed', message: 'unexpected message' }).then(() => process.exit(1));
      return;
    }
    started = true;
    serve(message).then(
      async (serving) => {
        server = serving;
        if (closing) await serving.close();
        else await send({ type: 'ready', port: serving.port });
      },
      async (error: unknown) => {
        await send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        process.exit(1);
      },
    );
  });
}
