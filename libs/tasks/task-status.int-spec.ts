import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/harness/database';
import { OPEN_STATUSES, TASK_STATUSES } from './task-status';

// TypeORM compares CHECK constraints by name only: this compares the migrated task_status CHECK
// (and the open-task indexes) with the declaration, value by value.
describe('task statuses: declaration and database agree', () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase({ seed: false });
    client = new Client({ connectionString: db.ownerUrl });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  const quoted = (sql: string): string[] => [...sql.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);

  it('the task_status CHECK lists exactly TASK_STATUSES', async () => {
    const { rows } = await client.query<{ def: string }>(
      "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'task'::regclass AND conname = 'task_status'",
    );
    expect(rows).toHaveLength(1);
    expect(quoted(rows[0]!.def).sort()).toEqual([...TASK_STATUSES].sort());
  });

  it('the partial open-task indexes cover exactly OPEN_STATUSES', async () => {
    const { rows } = await client.query<{ name: string; def: string }>(
      "SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'task' AND indexname IN ('task_tenant_open_due_idx', 'task_open_due_idx') ORDER BY 1",
    );
    expect(rows.map((r) => r.name)).toEqual(['task_open_due_idx', 'task_tenant_open_due_idx']);
    for (const r of rows) expect(quoted(r.def.slice(r.def.indexOf('WHERE'))).sort()).toEqual([...OPEN_STATUSES].sort());
  });
});
