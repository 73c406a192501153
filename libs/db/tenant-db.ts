import { AsyncLocalStorage } from 'node:async_hooks';
import { Global, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { beginScoped, type DbScope } from './scoped-tx';

/** The unit of work in progress in this async context: its scope and its transaction's manager. */
interface UnitOfWork {
  readonly scope: DbScope;
  readonly em: EntityManager;
}

/**
 * The unit of work. `run(scope, fn)` runs fn in one transaction scoped to a tenant (and user);
 * every repository reached from fn, in any lib, works through `em` on that same transaction, so
 * several service calls commit or roll back together. A `run` inside a `run` joins the outer
 * unit of work, which must have the same scope: widening or switching tenants mid-transaction is
 * a programming error, never silently allowed.
 *
 * The transaction travels in Node's own AsyncLocalStorage, set only for the duration of `run`.
 * (nestjs-cls with @nestjs-cls/transactional did this before; it also mounts a global guard and a
 * global interceptor on every route, no-ops in our set-up, whose interceptor alone moves every
 * request onto Nest's RxJS path: about a tenth of the api's CPU per request in bench:auth. We
 * used none of its other features: docs/data-access.md.)
 */
@Injectable()
export class TenantDb {
  private readonly current = new AsyncLocalStorage<UnitOfWork>();

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * The current unit of work's EntityManager. Outside one: a pooled connection with no scope, on
   * which row-level security shows no tenant row; only global data (catalogs) and definer
   * functions are reachable that way.
   */
  get em(): EntityManager {
    return this.current.getStore()?.em ?? this.ds.manager;
  }

  /** True inside run(). */
  get active(): boolean {
    return this.current.getStore() !== undefined;
  }

  /** The scope of the current unit of work, if any. */
  get scope(): DbScope | undefined {
    return this.current.getStore()?.scope;
  }

  run<T>(scope: DbScope, fn: () => Promise<T>): Promise<T> {
    const outer = this.current.getStore();
    if (outer) {
      if (!sameScope(outer.scope, scope))
        return Promise.reject(
          new Error(`TenantDb.run: a unit of work scoped to ${describe(outer.scope)} cannot run work scoped to ${describe(scope)}`),
        );
      return fn();
    }
    const own: DbScope = { tenantId: scope.tenantId, userId: scope.userId };
    return beginScoped(this.ds, own, (em) => this.current.run({ scope: own, em }, fn));
  }
}

function sameScope(a: DbScope, b: DbScope): boolean {
  return (
    (a.tenantId ?? '').toLowerCase() === (b.tenantId ?? '').toLowerCase() &&
    (a.userId ?? '').toLowerCase() === (b.userId ?? '').toLowerCase()
  );
}

function describe(scope: DbScope | undefined): string {
  return scope ? `tenant ${scope.tenantId ?? '-'} / user ${scope.userId ?? '-'}` : 'nothing';
}

/**
 * Registers the unit of work for an app (api, worker, CLI): TenantDb for every lib, on the app's
 * TypeORM data source. Import once, beside TypeOrmModule.forRoot (global, which provides it).
 */
@Global()
@Module({})
export class DbModule {
  static forRoot(): DynamicModule {
    return { module: DbModule, providers: [TenantDb], exports: [TenantDb] };
  }
}
