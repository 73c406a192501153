import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, query, quietLogger, type TestDatabase } from '../../test/harness/database';
import { SCHEMA } from '../../apps/runtime/schema';
import { dataSourceOptions } from './data-source';
import { DbModule, TenantDb } from './tenant-db';

// The unit of work against a real Postgres, as the app role (row-level security binds it).
describe('TenantDb (unit of work)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let tenantDb: TenantDb;
  let tenantId: string;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase({ seed: false });
    moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ ...dataSourceOptions({ url: db.appUrl, poolSize: 3, applicationName: 't' }, SCHEMA, quietLogger()) }),
        DbModule.forRoot(),
      ],
    }).compile();
    await moduleRef.init();
    tenantDb = moduleRef.get(TenantDb);
    userId = randomUUID();
    tenantId = randomUUID();
    await query(db.adminUrl, `INSERT INTO app_user (id, email, name, password_hash) VALUES ($1, $2, 'U', 'x')`, [
      userId,
      `${userId}@example.org`,
    ]);
    await query(db.adminUrl, `INSERT INTO tenant (id, name, created_by) VALUES ($1, 'T', $2)`, [tenantId, userId]);
  });

  afterAll(async () => {
    await moduleRef.close();
    await db.drop();
  });

  const names = async (): Promise<string[]> =>
    (await query<{ name: string }>(db.adminUrl, 'SELECT name FROM tenant WHERE id = $1', [tenantId])).map((r) => r.name);

  it('sets the row-level-security scope for everything run inside', async () => {
    const seen = await tenantDb.run({ tenantId, userId }, () =>
      tenantDb.em.query<{ t: string; u: string }[]>("SELECT current_setting('app.tenant_id') AS t, current_setting('app.user_id') AS u"),
    );
    expect(seen).toEqual([{ t: tenantId, u: userId }]);
    // Outside a unit of work the fallback connection has no scope: RLS shows no tenant row.
    expect(await tenantDb.em.query('SELECT id FROM tenant WHERE id = $1', [tenantId])).toEqual([]);
  });

  it('composes: calls inside one run share its transaction and roll back together', async () => {
    const rename = (name: string) =>
      tenantDb.run({ tenantId, userId }, () => tenantDb.em.query('UPDATE tenant SET name = $2 WHERE id = $1', [tenantId, name]));
    await expect(
      tenantDb.run({ tenantId, userId }, async () => {
        const pid = async () => (await tenantDb.em.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid'))[0]?.pid;
        const before = await pid();
        await rename('first');
        await rename('second');
        expect(await pid()).toBe(before);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await names()).toEqual(['T']);
  });

  it("keeps TypeORM's own save() inside the transaction (no early commit)", async () => {
    await expect(
      tenantDb.run({ tenantId, userId }, async () => {
        await tenantDb.em.transaction((inner) => inner.query('UPDATE tenant SET name = $2 WHERE id = $1', [tenantId, 'inner']));
        throw new Error('after the inner transaction');
      }),
    ).rejects.toThrow('after the inner transaction');
    expect(await names()).toEqual(['T']);
    await tenantDb.run({ tenantId, userId }, () => tenantDb.em.query('UPDATE tenant SET name = $2 WHERE id = $1', [tenantId, 'kept']));
    expect(await names()).toEqual(['kept']);
  });

  it('refuses to switch scope inside a unit of work', async () => {
    await expect(
      tenantDb.run({ tenantId, userId }, () => tenantDb.run({ tenantId: randomUUID(), userId }, () => Promise.resolve(1))),
    ).rejects.toThrow(/cannot run work scoped to/);
  });

  it('refuses a scope that is not a UUID', async () => {
    await expect(tenantDb.run({ tenantId: "x'; DROP TABLE tenant; --", userId: null }, () => Promise.resolve(1))).rejects.toThrow(
      /not a UUID/,
    );
  });
});
