import { SCHEMA } from '../../apps/runtime/schema';
import { createDataSource } from '../../libs/db';
import { createTestDatabase, quietLogger, type TestDatabase } from '../harness/database';

// One schema truth: on a freshly migrated database, the migration TypeORM would generate from the
// entities (what `npm run migration:generate` writes) is empty. A column, index, check or foreign
// key added on one side only fails here, naming the statement.
describe('entities and migrations agree', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ seed: false, fresh: true });
  });

  afterAll(async () => {
    await db.drop();
  });

  it('generating a migration from the entities yields no statement', async () => {
    const ds = createDataSource({ url: db.ownerUrl, poolSize: 1, applicationName: 'schema-truth' }, SCHEMA, quietLogger());
    await ds.initialize();
    try {
      const sql = await ds.driver.createSchemaBuilder().log();
      expect(sql.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});
