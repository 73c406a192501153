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

/** The run's template databases (global-setup.ts makes them once), by what they hold. */
export interface TestTemplates {
  /** Every migration applied (pg-boss's schema included). */
  readonly migrated: string;
  /** The same, with the catalogs seeded. */
  readonly seeded: string;
}

/** Set by global-setup for the test workers; absent when a file runs outside jest's global set-up. */
function templates(): TestTemplates | undefined {
  const raw = process.env.DUTYBOOK_TEST_TEMPLATES;
  return raw ? (JSON.parse(raw) as TestTemplates) : undefined;
}

function targetOf(admin: string, name: string): TestDatabase {
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

/**
 * A fresh database of its own for one test file: empty, or a copy of a template (CREATE DATABASE
 * ... TEMPLATE copies it file by file, in a fraction of the time migrating and seeding takes).
 * Database-level grants are not copied: ensureDatabase sets them as on any other database.
 */
async function newDatabase(template?: string): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = adminUrl();
  if (template !== undefined) {
    const client = new Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(
        `CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(template)} OWNER ${client.escapeIdentifier(TEST_ROLES.owner.name)}`,
      );
    } finally {
      await client.end();
    }
  }
  await ensureDatabase(admin, name, TEST_ROLES);
  return targetOf(admin, name);
}

/** A fresh, empty database of its own for one test file (nothing migrated yet). */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return newDatabase();
}

/**
 * A fresh database with every migration applied and, unless told otherwise, the catalogs seeded:
 * a copy of the run's template. `fresh: true` migrates (and seeds) this database itself instead,
 * for the tests about migrating (a copy's typeorm_metadata still names the template's database).
 */
export async function createTestDatabase(options: { seed?: boolean; fresh?: boolean } = {}): Promise<TestDatabase> {
  const seeded = options.seed !== false;
  const made = templates();
  if (made && options.fresh !== true) return newDatabase(seeded ? made.seeded : made.migrated);
  const db = await newDatabase();
  const logger = quietLogger();
  await migrate(db, logger);
  if (seeded) await seed(db, logger);
  return db;
}

/**
 * Makes the run's two templates (global-setup.ts): migrated, and migrated and seeded; then closes
 * every session on them (a template with a session cannot be copied) and refuses new ones.
 */
export async function createTemplates(admin: string, runId: string): Promise<TestTemplates> {
  const made: TestTemplates = { migrated: `tpl_${runId}_migrated`, seeded: `tpl_${runId}_seeded` };
  const logger = quietLogger();
  for (const [name, seeded] of [
    [made.migrated, false],
    [made.seeded, true],
  ] as const) {
    await ensureDatabase(admin, name, TEST_ROLES);
    const target = targetOf(admin, name);
    await migrate(target, logger);
    if (seeded) await seed(target, logger);
  }
  const client = new Client({ connectionString: admin });
  await client.connect();
  try {
    for (const name of [made.migrated, made.seeded]) {
      await client.query(`ALTER DATABASE ${client.escapeIdentifier(name)} WITH ALLOW_CONNECTIONS false`);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    }
  } finally {
    await client.end();
  }
  return made;
}

/** Drops the run's templates (global-teardown.ts; a shared TEST_DATABASE_URL server keeps nothing). */
export async function dropTemplates(admin: string, made: TestTemplates): Promise<void> {
  for (const name of [made.migrated, made.seeded]) await targetOf(admin, name).drop();
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
