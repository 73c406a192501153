import type { DataSource, EntityManager } from 'typeorm';

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
  return ds.transaction(async (em) => {
    await em.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)", [scope.tenantId ?? '', scope.userId ?? '']);
    return fn(em);
  });
}

/**
 * UPDATE/DELETE ... RETURNING through TypeORM answers [rows, affected]; this gives the rows.
 */
export async function updateReturning<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result = await em.query<[T[], number]>(sql, params);
  return result[0];
}
