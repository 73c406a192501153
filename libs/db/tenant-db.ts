import { Global, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { TransactionHost, ClsPluginTransactional, type TransactionalAdapter } from '@nestjs-cls/transactional';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { ClsModule, ClsService } from 'nestjs-cls';
import type { DataSource, EntityManager } from 'typeorm';
import { beginScoped, type DbScope } from './scoped-tx';

/** What a unit of work is opened with: whose rows row-level security lets it see. */
export interface ScopedTxOptions {
  readonly scope: DbScope;
}

const SCOPE_KEY = 'dutybook.db.scope';

/**
 * @nestjs-cls/transactional adapter for TypeORM whose transactions carry a row-level-security scope.
 * Unlike the stock TypeORM adapter it opens the transaction and sets `app.tenant_id` /
 * `app.user_id` in one round trip (see beginScoped), and refuses to open one without a scope.
 */
export class ScopedTypeOrmAdapter implements TransactionalAdapter<DataSource, EntityManager, ScopedTxOptions> {
  readonly connectionToken = getDataSourceToken();

  optionsFactory = (ds: DataSource) => ({
    wrapWithTransaction: async (options: ScopedTxOptions, fn: () => Promise<unknown>, setTx: (tx?: EntityManager) => void) =>
      beginScoped(ds, options.scope, (em) => {
        setTx(em);
        return fn();
      }),
    // A nested unit of work (Propagation.Nested) is a savepoint of the same transaction: same scope.
    wrapWithNestedTransaction: async (
      _options: ScopedTxOptions,
      fn: () => Promise<unknown>,
      setTx: (tx?: EntityManager) => void,
      tx: EntityManager,
    ) =>
      tx.transaction((inner) => {
        setTx(inner);
        return fn();
      }),
    // Outside a unit of work: a pooled connection with no scope, on which row-level security shows
    // no tenant row. Only global data (catalogs) and definer functions are reachable that way.
    getFallbackInstance: () => ds.manager,
  });
}

/**
 * The unit of work. `run(scope, fn)` runs fn in one transaction scoped to a tenant (and user);
 * every repository reached from fn, in any lib, works through `em` on that same transaction, so
 * several service calls commit or roll back together. A `run` inside a `run` joins the outer
 * unit of work, which must have the same scope: widening or switching tenants mid-transaction is
 * a programming error, never silently allowed.
 */
@Injectable()
export class TenantDb {
  constructor(
    private readonly host: TransactionHost<ScopedTypeOrmAdapter>,
    private readonly cls: ClsService,
  ) {}

  /** The current unit of work's EntityManager (outside one: an unscoped manager, see the adapter). */
  get em(): EntityManager {
    return this.host.tx;
  }

  /** True inside run(). */
  get active(): boolean {
    return this.cls.isActive() && this.host.isTransactionActive();
  }

  /** The scope of the current unit of work, if any. */
  get scope(): DbScope | undefined {
    return this.active ? this.cls.get<DbScope>(SCOPE_KEY) : undefined;
  }

  run<T>(scope: DbScope, fn: () => Promise<T>): Promise<T> {
    const go = (): Promise<T> => {
      if (this.host.isTransactionActive()) {
        const current = this.cls.get<DbScope | undefined>(SCOPE_KEY);
        if (!current || !sameScope(current, scope))
          throw new Error(`TenantDb.run: a unit of work scoped to ${describe(current)} cannot run work scoped to ${describe(scope)}`);
        return fn();
      }
      return this.host.withTransaction({ scope }, () => {
        this.cls.set(SCOPE_KEY, { tenantId: scope.tenantId, userId: scope.userId });
        return fn();
      });
    };
    // Worker jobs and scripts have no request context: give them one for this unit of work.
    return this.cls.isActive() ? go() : this.cls.run(go);
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
 * Registers the unit of work for an app (api, worker, CLI): CLS with the transactional plugin on
 * the app's TypeORM data source, and TenantDb for every lib. Import once, beside TypeOrmModule.forRoot.
 */
@Global()
@Module({})
export class DbModule {
  static forRoot(): DynamicModule {
    return {
      module: DbModule,
      imports: [
        ClsModule.forRoot({
          global: true,
          // TypeOrmModule.forRoot (global) of the app provides the data source.
          plugins: [new ClsPluginTransactional({ imports: [TypeOrmModule], adapter: new ScopedTypeOrmAdapter() })],
        }),
      ],
      providers: [TenantDb],
      exports: [TenantDb],
    };
  }
}
