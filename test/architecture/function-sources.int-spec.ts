import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../harness/database';

// The current definition of each database function lives in one `.sql` file of its lib
// (libs/<lib>/sql/<function>.sql). On a freshly migrated database, applying every file changes no
// function: the migrations applied exactly what the files say (pg_get_functiondef before and after,
// in a transaction rolled back).
const LIBS = path.join(__dirname, '..', '..', 'libs');

const files = fs
  .readdirSync(LIBS)
  .flatMap((lib) => {
    const dir = path.join(LIBS, lib, 'sql');
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => ({ lib, name: f.replace(/\.sql$/, ''), file: path.join(dir, f) })) : [];
  })
  .filter((f) => f.file.endsWith('.sql'));

/** Functions still defined only inside a migration (libs/tenancy's, moved by its engineer). */
const NOT_YET_IN_A_LIB = ['app_member_role', 'app_tenant_id', 'app_user_id'];

describe('database functions and their source files', () => {
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

  const definitions = async (): Promise<Map<string, string>> => {
    const { rows } = await client.query<{ name: string; def: string }>(
      `SELECT p.proname AS name, pg_get_functiondef(p.oid) AS def
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prokind = 'f'
          -- Not an extension's (uuid-ossp): those are not ours to keep.
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`,
    );
    return new Map(rows.map((r) => [r.name, r.def]));
  };

  it('each file holds one function, named as the file', () => {
    for (const f of files) {
      const text = fs.readFileSync(f.file, 'utf8');
      const created = [...text.matchAll(/CREATE OR REPLACE FUNCTION ([a-z_][a-z0-9_]*)\(/g)].map((m) => m[1]);
      expect({ file: f.file, created }).toEqual({ file: f.file, created: [f.name] });
    }
  });

  it('every function in the database has exactly one source file', async () => {
    const names = [...(await definitions()).keys()].filter((n) => !NOT_YET_IN_A_LIB.includes(n)).sort();
    expect(files.map((f) => f.name).sort()).toEqual(names);
  });

  it('applying the files changes no function', async () => {
    const before = await definitions();
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL check_function_bodies = off`);
      for (const f of files) await client.query(fs.readFileSync(f.file, 'utf8'));
      const after = await definitions();
      const changed = files.filter((f) => before.get(f.name) !== after.get(f.name)).map((f) => `${f.lib}/sql/${f.name}.sql`);
      expect(changed).toEqual([]);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('and notices a difference (a changed body is a changed definition)', async () => {
    const before = await definitions();
    await client.query('BEGIN');
    try {
      const [f] = files.filter((x) => x.name === 'app_definer_scope');
      await client.query(fs.readFileSync(f!.file, 'utf8').replace('= p_name AND', '= p_name  AND'));
      expect((await definitions()).get('app_definer_scope')).not.toBe(before.get('app_definer_scope'));
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
