import type { DataSource, EntityManager } from 'typeorm';
import { isUuid } from '../core';

/** Which rows row-level security lets a transaction see. */
export interface DbScope {
  readonly tenantId: string | null;
  readonly userId: string | null;
}

/**
 * Runs fn in a transaction whose row-level-security scope is set with set_config(..., true):
 * it lasts until commit or rollback, so a pooled connection never carries it to another request.
 * The api, the worker and scripts all reach tenant rows through here.
 */
export async function inScope<T>(ds: DataSource, scope: DbScope, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    // BEGIN and the scope in one round trip: a parameterless query goes over the simple
    // protocol, which takes several statements; the values are checked UUIDs, safe inline.
    await runner.query(
      `BEGIN; SELECT set_config('app.tenant_id', '${scopeValue(scope.tenantId)}', true), set_config('app.user_id', '${scopeValue(scope.userId)}', true)`,
    );
    try {
      const result = await fn(runner.manager);
      await runner.query('COMMIT');
      return result;
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await runner.release();
  }
}

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
