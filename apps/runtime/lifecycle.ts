import { ConfigError, createLogger, loadConfig, type AppConfig, type Logger } from '../../libs/core';

export interface Running {
  /** Stops everything this process started, in reverse order of start. */
  stop(): Promise<void>;
}

/**
 * Runs a process entry point: config validated first (a bad value exits 1 naming the variable),
 * then start(); SIGTERM/SIGINT stop it within SHUTDOWN_TIMEOUT_MS and exit 0.
 */
export function runProcess(name: string, start: (config: AppConfig, logger: Logger) => Promise<Running>): void {
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
  let running: Running | undefined;
  let stopping = false;

  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await running?.stop();
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  start(config, logger)
    .then((r) => {
      running = r;
      if (stopping) void r.stop();
    })
    .catch((error: unknown) => {
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
