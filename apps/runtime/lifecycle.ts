import { ConfigError, createLogger, loadConfig, type AppConfig, type Logger } from '../../libs/core';

export interface Running {
  /** Stops everything this process started, in reverse order of start. */
  stop(): Promise<void>;
}

/** Ends the process after an unrecoverable fault: ordered stop, then exit 1. */
export type Fatal = (error: Error) => void;

/**
 * Runs a process entry point: config validated first (a bad value exits 1 naming the variable),
 * then start(); SIGTERM/SIGINT stop it (in the order start() decided) within
 * SHUTDOWN_TIMEOUT_MS and exit 0; a fatal fault reported by start() stops it and exits 1.
 * No other code installs signal handlers (see libs/db/embedded-postgres.ts).
 */
export function runProcess(name: string, start: (config: AppConfig, logger: Logger, fatal: Fatal) => Promise<Running>): void {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, name);
  let stopping = false;

  const shutdown = async (reason: { signal: string } | { fault: Error }): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const code = 'fault' in reason ? 1 : 0;
    if ('fault' in reason) logger.fatal({ err: reason.fault }, `stopping after a fatal fault: ${reason.fault.message}`);
    else logger.info({ signal: reason.signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      logger.flush();
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await (await started).stop();
      logger.info('stopped');
      logger.flush();
      process.exit(code);
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
      logger.flush();
      process.exit(1);
    }
  };
  // A signal during start-up waits for it to finish, then stops what it started: the embedded
  // Postgres runs in its own process group and would outlive an early exit.
  const started = start(config, logger, (fault) => void shutdown({ fault }));
  process.once('SIGTERM', () => void shutdown({ signal: 'SIGTERM' }));
  process.once('SIGINT', () => void shutdown({ signal: 'SIGINT' }));
  started.catch((error: unknown) => {
    logger.fatal({ err: error }, `${name} failed to start: ${(error as Error).message}`);
    logger.flush();
    process.exit(1);
  });
}

/** Runs stops in reverse order, continuing past failures, and rethrows the first one. */
export async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  let first: unknown;
  for (const stop of [...stops].reverse()) {
    try {
      await stop();
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== undefined) throw first instanceof Error ? first : new Error('a stop step failed', { cause: first });
}
