import path from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvironmentVariables, type LogLevel } from './config.schema';

/** The validated, typed configuration every part of the product reads. */
export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Unset: the embedded Postgres under dataDir is used. */
  readonly databaseUrl: string | undefined;
  /** Role that owns the schema and runs migrations; defaults to databaseUrl. */
  readonly databaseOwnerUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly embeddedPgPort: number;
  readonly logLevel: LogLevel;
  readonly publicUrl: string;
  readonly seedOnStart: boolean;
  readonly migrateOnStart: boolean;
  readonly bodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_VARIABLES = new Set(['DATABASE_URL', 'DATABASE_OWNER_URL']);

/** Validates the environment; throws ConfigError naming every bad variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new EnvironmentVariables());
  const raw: Record<string, string> = {};
  for (const name of known) {
    const value = env[name];
    // An empty variable means "unset": docker-compose and shells produce them easily.
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const parsed = plainToInstance(EnvironmentVariables, raw);
  const errors = validateSync(parsed, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => {
        const shown = SECRET_VARIABLES.has(e.property) ? '(hidden)' : JSON.stringify(raw[e.property]);
        const why = Object.values(e.constraints ?? {})[0] ?? 'is invalid';
        return `${e.property} ${why} (got ${shown})`;
      }),
    );
  }
  const dataDir = path.resolve(parsed.DATA_DIR);
  return {
    env: parsed.NODE_ENV,
    port: parsed.PORT,
    host: parsed.HOST,
    dataDir,
    databaseUrl: parsed.DATABASE_URL,
    databaseOwnerUrl: parsed.DATABASE_OWNER_URL,
    databasePoolSize: parsed.DATABASE_POOL_SIZE,
    embeddedPgPort: parsed.EMBEDDED_PG_PORT,
    logLevel: parsed.LOG_LEVEL,
    publicUrl: (parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/+$/, ''),
    seedOnStart: parsed.SEED_ON_START === 'true',
    migrateOnStart: parsed.MIGRATE_ON_START === 'true',
    bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
  };
}

/** Injection token for AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
