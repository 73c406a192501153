import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isUuid } from '../core';

/** Which rows row-level security lets a transaction see. */
export interface DbScope {
  readonly tenantId: string | null;
  readonly userId: string | null;
}

/**
 * Runs fn in a transaction whose row-level-security scope is set with set_config(..., true):
 * it lasts until commit or rollback, so a pooled connection never carries it to another request.
 * The one implementation of a scoped transaction: the unit of work (TenantDb, tenant-db.ts)
 * opens its transactions through it, and tests of row-level security call it directly.
 */
export async function beginScoped<T>(ds: DataSource, scope: DbScope, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    // BEGIN and the scope in one round trip: a parameterless query goes over the simple
    // protocol, which takes several statements; the values are checked UUIDs, safe inline.
    await runner.query(
      `BEGIN; SELECT set_config('app.tenant_id', '${scopeValue(scope.tenantId)}', true), set_config('app.user_id', '${scopeValue(scope.userId)}', true)`,
    );
    // Tell TypeORM the runner is inside a transaction (what startTransaction() would have
    // recorded), so save()/insert() and nested transaction() calls use savepoints of this one
    // instead of opening and committing their own. tenant-db.int-spec.ts checks it still holds.
    markTransactionStarted(runner);
    try {
      const result = await fn(runner.manager);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  } finally {
    await runner.release();
  }
}

function markTransactionStarted(runner: QueryRunner): void {
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  if (typeof state.transactionDepth !== 'number' || state.transactionDepth !== 0)
    throw new Error('beginScoped: this TypeORM query runner does not keep transactionDepth as expected');
  state.isTransactionActive = true;
  state.transactionDepth = 1;
}

/** The name the row-level-security tests use; code goes through TenantDb.run. */
export const inScope = beginScoped;

function scopeValue(id: string | null): string {
  if (id === null) return '';
  if (!isUuid(id)) throw new Error(`inScope: "${id}" is not a UUID`);
  return id.toLowerCase();
}

/**
 * UPDATE/DELETE ... RETURNING through TypeORM answers [rows, affected]; this gives the rows.
 */
export async function updateReturning<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result = await em.query<[T[], number]>(sql, params);
  return result[0];
}

/** A statement run under a name, so Postgres plans it once per connection (see preparedQuery). */
export interface NamedStatement {
  /** Unique per statement text: a connection keeps what it prepared under this name. */
  readonly name: string;
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * Runs a statement as a named prepared statement on the unit of work's connection: Postgres
 * parses and plans it on the first call of each pooled connection and reuses the plan after (a
 * custom plan for the first executions, then the generic one when it costs no more). For the few
 * long statements whose planning costs more than running them; others stay plain `em.query`.
 * Row-level security still applies at each execution (its policies read the transaction's scope).
 * TypeORM's query logging is bypassed: the statement goes to the pg client TypeORM holds.
 */
export async function preparedQuery<T>(em: EntityManager, statement: NamedStatement): Promise<T[]> {
  const runner = em.queryRunner;
  if (!runner) throw new Error(`preparedQuery ${statement.name}: run it inside a unit of work (TenantDb.run)`);
  const client = (await runner.connect()) as {
    query: (config: { name: string; text: string; values: unknown[] }) => Promise<{ rows: T[] }>;
  };
  return (await client.query({ name: statement.name, text: statement.sql, values: statement.params })).rows;
}
