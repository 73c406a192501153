import { inScope } from '../../libs/db';
import { createDataSource } from '../../libs/db';
import { SCHEMA } from '../../apps/runtime/schema';
import { createTestDatabase, query, quietLogger, type TestDatabase } from '../harness/database';
import type { DataSource } from 'typeorm';
import { Client } from 'pg';

let db: TestDatabase;
let ds: DataSource;
const A = '0a0a0a0a-0000-4000-8000-00000000000a';
const B = '0b0b0b0b-0000-4000-8000-00000000000b';
let userA: string;
let userB: string;

beforeAll(async () => {
  db = await createTestDatabase({ seed: false });
  ds = createDataSource({ url: db.appUrl, poolSize: 2, applicationName: 'rls-test' }, SCHEMA, quietLogger());
  await ds.initialize();
  // Setup as superuser, behind the app's back.
  [{ id: userA }] = (await query<{ id: string }>(
    db.adminUrl,
    "INSERT INTO app_user (email, name, password_hash) VALUES ('a@x.test', 'A', 'x') RETURNING id",
  )) as [{ id: string }];
  [{ id: userB }] = (await query<{ id: string }>(
    db.adminUrl,
    "INSERT INTO app_user (email, name, password_hash) VALUES ('b@x.test', 'B', 'x') RETURNING id",
  )) as [{ id: string }];
  await query(db.adminUrl, "INSERT INTO tenant (id, name, created_by) VALUES ($1, 'A', $3), ($2, 'B', $4)", [A, B, userA, userB]);
  await query(db.adminUrl, "INSERT INTO membership (tenant_id, user_id, role) VALUES ($1, $3, 'admin'), ($2, $4, 'admin')", [
    A,
    B,
    userA,
    userB,
  ]);
  await query(
    db.adminUrl,
    "INSERT INTO invitation (tenant_id, email, role, token_hash, invited_by, expires_at) VALUES ($1, 'x@a.test', 'viewer', repeat('a', 64), $2, now() + interval '1 day')",
    [A, userA],
  );
});
afterAll(async () => {
  await ds.destroy();
  await db.drop();
});

describe('row-level security', () => {
  it.each(['tenant', 'membership', 'invitation'])('an unscoped SELECT on %s as the app role returns nothing', async (table) => {
    expect(await query(db.appUrl, `SELECT * FROM ${table}`)).toEqual([]);
    expect(await inScope(ds, { tenantId: null, userId: null }, (em) => em.query(`SELECT * FROM ${table}`))).toEqual([]);
  });

  it('the rows exist (seen by a superuser), so the empty answers above are RLS', async () => {
    expect(await query(db.adminUrl, 'SELECT id FROM tenant ORDER BY name')).toHaveLength(2);
  });

  it("a tenant scope sees its own rows, never the other tenant's, even without a WHERE", async () => {
    const rows = await inScope(ds, { tenantId: A, userId: null }, (em) =>
      em.query<{ tenant_id: string }[]>('SELECT tenant_id FROM membership'),
    );
    expect(rows.map((r) => r.tenant_id)).toEqual([A]);
    const invitations = await inScope(ds, { tenantId: B, userId: null }, (em) => em.query('SELECT * FROM invitation'));
    expect(invitations).toEqual([]);
  });

  it("a user scope sees the user's own memberships and tenants across tenants", async () => {
    const tenants = await inScope(ds, { tenantId: null, userId: userB }, (em) => em.query<{ id: string }[]>('SELECT id FROM tenant'));
    expect(tenants.map((t) => t.id)).toEqual([B]);
  });

  it("writing into another tenant's scope is refused", async () => {
    await expect(
      inScope(ds, { tenantId: A, userId: null }, (em) =>
        em.query("INSERT INTO membership (tenant_id, user_id, role) VALUES ($1, $2, 'viewer')", [B, userA]),
      ),
    ).rejects.toThrow(/row-level security/);
    const updated = await inScope(ds, { tenantId: A, userId: null }, (em) =>
      em.query<[unknown[], number]>("UPDATE membership SET role = 'viewer' WHERE tenant_id = $1", [B]),
    );
    expect(updated[1]).toBe(0);
  });

  it('the scope ends with the transaction: the pooled connection carries nothing to the next one', async () => {
    await inScope(ds, { tenantId: A, userId: userA }, (em) => em.query('SELECT 1'));
    const leaked = await ds.query<{ t: string | null }[]>("SELECT nullif(current_setting('app.tenant_id', true), '') AS t");
    expect(leaked[0]?.t).toBeNull();
    expect(await ds.query('SELECT * FROM membership')).toEqual([]);
  });

  it('the app role cannot turn RLS off, and owns nothing', async () => {
    await expect(query(db.appUrl, 'ALTER TABLE membership DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
    await expect(query(db.appUrl, 'SET row_security = off; SELECT * FROM membership')).rejects.toThrow(/row-level security/);
    const [role] = await query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      db.appUrl,
      'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
  });

  it('app_member_role scopes only its own statement', async () => {
    const client = new Client({ connectionString: db.appUrl });
    await client.connect();
    try {
      expect((await client.query<{ role: string }>('SELECT app_member_role($1, $2) AS role', [A, userA])).rows).toEqual([
        { role: 'admin' },
      ]);
      expect((await client.query<{ role: string | null }>('SELECT app_member_role($1, $2) AS role', [A, userB])).rows).toEqual([
        { role: null },
      ]);
      expect((await client.query<{ t: string | null }>("SELECT nullif(current_setting('app.tenant_id', true), '') AS t")).rows).toEqual([
        { t: null },
      ]);
      expect((await client.query('SELECT * FROM membership')).rows).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('FORCE binds the owner role too', async () => {
    expect(await query(db.ownerUrl, 'SELECT * FROM membership')).toEqual([]);
  });
});
