import { ConfigError, loadConfig, type AppConfig } from '../../libs/core';

/**
 * A command-line entry point: the config is validated first (a bad value exits 1 naming the
 * variable), then main runs and its number is the exit code; a failure prints its message.
 */
export function runCli(name: string, main: (config: AppConfig) => Promise<number>): void {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  main(config).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
