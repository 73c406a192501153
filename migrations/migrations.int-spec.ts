import { revertLastMigration } from '../libs/db';
import { migrate } from '../apps/runtime/prepare-database';
import { SCHEMA } from '../apps/runtime/schema';
import { createEmptyDatabase, query, quietLogger, type TestDatabase } from '../test/harness/database';
import { MIGRATIONS } from '.';

let db: TestDatabase;
beforeAll(async () => {
  db = await createEmptyDatabase();
});
afterAll(async () => db.drop());

const tables = async (): Promise<string[]> =>
  (await query<{ t: string }>(db.adminUrl, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.t);

describe('migrations on an empty database', () => {
  it('go up, all of them, in order', async () => {
    const applied = await migrate(db, quietLogger());
    expect(applied).toEqual(MIGRATIONS.map((m) => new m().name));
    expect(await tables()).toEqual(
      expect.arrayContaining(['activity', 'catalog', 'catalog_section', 'catalog_version', 'schema_migration']),
    );
  });

  it('a second run applies nothing', async () => {
    expect(await migrate(db, quietLogger())).toEqual([]);
  });

  it('leave every table owned by the owner role, not the app role', async () => {
    const owners = await query<{ owner: string }>(
      db.adminUrl,
      "SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(owners).toEqual([{ owner: 'dutybook_test_owner' }]);
  });

  it("go down, all of them, leaving only TypeORM's bookkeeping tables", async () => {
    const settings = { url: db.ownerUrl, poolSize: 2, applicationName: 'test', appRole: db.appRole };
    const reverted: string[] = [];
    for (;;) {
      const name = await revertLastMigration(settings, SCHEMA, quietLogger());
      if (!name) break;
      reverted.push(name);
    }
    expect(reverted).toEqual(MIGRATIONS.map((m) => new m().name).reverse());
    expect(await tables()).toEqual(['schema_migration', 'typeorm_metadata']);
  });

  it('and up again', async () => {
    expect(await migrate(db, quietLogger())).toHaveLength(MIGRATIONS.length);
  });
});
