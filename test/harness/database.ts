import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { seed, migrate } from '../../apps/runtime/prepare-database';
import { createLogger, type Logger } from '../../libs/core';
import { ensureDatabase, urlFor, type DatabaseTarget } from '../../libs/db';
import { adminUrl, TEST_ROLES } from './cluster';

export interface TestDatabase extends DatabaseTarget {
  readonly name: string;
  /** Superuser URL on this database, for tests that act behind the app's back. */
  readonly adminUrl: string;
  drop(): Promise<void>;
}

export const quietLogger = (): Logger => createLogger('silent', 'test');

/** A fresh, empty database of its own for one test file (nothing migrated yet). */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = adminUrl();
  await ensureDatabase(admin, name, TEST_ROLES);
  return {
    name,
    appUrl: urlFor(admin, TEST_ROLES.app, name),
    ownerUrl: urlFor(admin, TEST_ROLES.owner, name),
    appRole: TEST_ROLES.app.name,
    adminUrl: (() => {
      const u = new URL(admin);
      u.pathname = `/${name}`;
      return u.toString();
    })(),
    async drop() {
      const client = new Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A fresh database with every migration applied and, unless told otherwise, the catalogs seeded. */
export async function createTestDatabase(options: { seed?: boolean } = {}): Promise<TestDatabase> {
  const db = await createEmptyDatabase();
  const logger = quietLogger();
  await migrate(db, logger);
  if (options.seed !== false) await seed(db, logger);
  return db;
}

/** Runs one query as a given URL and returns its rows. */
export async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
