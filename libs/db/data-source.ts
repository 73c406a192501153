import { DataSource, type DataSourceOptions, type Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from '../core';
import { SnakeNamingStrategy } from './naming.strategy';

// Entity and migration classes come from the composition root (apps), so this lib stays below
// every feature lib.
export interface DataSourceParts {
  readonly entities: NonNullable<DataSourceOptions['entities']>;
  readonly migrations: NonNullable<DataSourceOptions['migrations']>;
}

export interface ConnectionSettings {
  readonly url: string;
  readonly poolSize: number;
  readonly applicationName: string;
  /** Name of the role the app runs as; migrations grant to it (see migrations/grants.ts). */
  readonly appRole?: string;
  /** Wait for a connection at most this long (default 5 s). */
  readonly connectTimeoutMs?: number;
  /**
   * Bound on one statement: Postgres cancels it after this (statement_timeout), and the client
   * gives up 2 s later (query_timeout) when the server itself is frozen and cannot cancel.
   * Unset: no bound (migrations, the worker's set-based sweeps).
   */
  readonly statementTimeoutMs?: number;
}

class PinoTypeOrmLogger implements TypeOrmLogger {
  constructor(private readonly logger: Logger) {}
  logQuery(): void {}
  logQueryError(error: string | Error, query: string): void {
    // Expected failures (unique violations we map to 409s) are handled by callers: debug only.
    this.logger.debug({ component: 'typeorm', err: error, query }, 'query failed');
  }
  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ component: 'typeorm', ms: time, query }, 'slow query');
  }
  logSchemaBuild(message: string): void {
    this.logger.debug({ component: 'typeorm' }, message);
  }
  logMigration(message: string): void {
    this.logger.info({ component: 'migrations' }, message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    this.logger[level === 'warn' ? 'warn' : 'debug']({ component: 'typeorm' }, String(message));
  }
}

export function dataSourceOptions(settings: ConnectionSettings, parts: DataSourceParts, logger: Logger): DataSourceOptions {
  const options = [`-c application_name=${settings.applicationName}`];
  if (settings.appRole) options.push(`-c dutybook.app_role=${settings.appRole}`);
  if (settings.statementTimeoutMs !== undefined) options.push(`-c statement_timeout=${settings.statementTimeoutMs}`);
  return {
    type: 'postgres',
    url: settings.url,
    entities: parts.entities,
    migrations: parts.migrations,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    logger: new PinoTypeOrmLogger(logger),
    maxQueryExecutionTime: 1000,
    poolSize: settings.poolSize,
    extra: {
      options: options.join(' '),
      connectionTimeoutMillis: settings.connectTimeoutMs ?? 5000,
      ...(settings.statementTimeoutMs !== undefined ? { query_timeout: settings.statementTimeoutMs + 2000 } : {}),
    },
  };
}

export function createDataSource(settings: ConnectionSettings, parts: DataSourceParts, logger: Logger): DataSource {
  return new DataSource(dataSourceOptions(settings, parts, logger));
}

// One key for every process that migrates or seeds: replicas starting together take turns.
const SCHEMA_LOCK_KEY = 0x64757479; // "duty"

/** Runs fn while holding the cluster-wide schema lock (session advisory lock). */
export async function withSchemaLock<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK_KEY]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/** Applies pending migrations as the owner role; returns the names applied. */
export async function runMigrations(settings: ConnectionSettings, parts: DataSourceParts, logger: Logger): Promise<string[]> {
  const ds = createDataSource({ ...settings, poolSize: 2 }, parts, logger);
  await ds.initialize();
  try {
    return await withSchemaLock(ds, async () => (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name));
  } finally {
    await ds.destroy();
  }
}

/** Reverts the last applied migration; returns its name, or undefined when none is applied. */
export async function revertLastMigration(
  settings: ConnectionSettings,
  parts: DataSourceParts,
  logger: Logger,
): Promise<string | undefined> {
  const ds = createDataSource({ ...settings, poolSize: 2 }, parts, logger);
  await ds.initialize();
  try {
    return await withSchemaLock(ds, async () => {
      const rows = await ds.query<{ name: string }[]>('SELECT name FROM schema_migration ORDER BY id DESC LIMIT 1').catch(() => []);
      if (rows.length === 0) return undefined;
      await ds.undoLastMigration({ transaction: 'each' });
      return rows[0]?.name;
    });
  } finally {
    await ds.destroy();
  }
}
