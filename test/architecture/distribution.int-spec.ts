import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../harness/database';

// Distribution-ready keys (docs/scaling.md#citus). On Citus, tenant-owned tables are distributed by
// `tenant_id` and colocated with `tenant` (distributed by `id`). Citus then requires the
// distribution column in every primary key and unique constraint, and in every foreign key between
// two distributed tables (both sides, at the same position). When this test passes, distributing
// the schema is a list of `create_distributed_table` / `create_reference_table` calls and no
// schema change.
//
// Tenant-owned: a table of `public` with a `tenant_id NOT NULL` column. `tenant` is the root of the
// colocation group; its key `id` is the distribution column. A table whose `tenant_id` may be null
// (`catalog`: global rows have none) is global data, a reference table.

interface Constraint {
  table: string;
  name: string;
  type: 'p' | 'u' | 'f';
  columns: string[];
  refTable: string | null;
  refColumns: string[] | null;
}

describe('distribution-ready keys', () => {
  let db: TestDatabase;
  let tenantOwned: Set<string>;
  let constraints: Constraint[];
  let uniqueIndexes: { table: string; name: string; columns: string[] }[];

  beforeAll(async () => {
    db = await createTestDatabase({ seed: false });
    const client = new Client({ connectionString: db.ownerUrl });
    await client.connect();
    try {
      const owned = await client.query<{ table: string }>(
        `SELECT c.relname AS table
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnotnull`,
      );
      tenantOwned = new Set(owned.rows.map((r) => r.table));
      // Column lists in key order (unnest WITH ORDINALITY keeps conkey/confkey positions paired).
      const cons = await client.query<Constraint>(
        `SELECT c.relname AS table, k.conname AS name, k.contype AS type,
                array(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
                        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS columns,
                r.relname AS "refTable",
                CASE WHEN k.contype = 'f' THEN
                  array(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
                          JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i)::text[]
                END AS "refColumns"
           FROM pg_constraint k
           JOIN pg_class c ON c.oid = k.conrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_class r ON r.oid = k.confrelid
          WHERE n.nspname = 'public' AND k.contype IN ('p', 'u', 'f')
          ORDER BY c.relname, k.conname`,
      );
      constraints = cons.rows;
      // Unique indexes, constraints' or not (partial and expression ones too): Citus enforces
      // uniqueness per shard only, so each must include the distribution column.
      const idx = await client.query<{ table: string; name: string; columns: string[] }>(
        `SELECT c.relname AS table, i.relname AS name,
                array(SELECT a.attname FROM unnest(x.indkey::int2[]) u(n)
                        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.n)::text[] AS columns
           FROM pg_index x
           JOIN pg_class c ON c.oid = x.indrelid
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND x.indisunique
          ORDER BY c.relname, i.relname`,
      );
      uniqueIndexes = idx.rows;
    } finally {
      await client.end();
    }
  });

  afterAll(async () => {
    await db.drop();
  });

  /** The distribution column of a table on Citus, or null for a reference (or local) table. */
  const distributionColumn = (table: string): string | null => (table === 'tenant' ? 'id' : tenantOwned.has(table) ? 'tenant_id' : null);

  it('finds the tenant-owned tables (the check below is not vacuous)', () => {
    for (const t of ['membership', 'invitation', 'subscription', 'task', 'evidence', 'review', 'audit_event', 'notification']) {
      expect(tenantOwned).toContain(t);
    }
    expect(tenantOwned).not.toContain('tenant');
    expect(tenantOwned).not.toContain('catalog');
  });

  it('every tenant-owned table has a primary key that includes tenant_id', () => {
    const offenders = [...tenantOwned]
      .sort()
      .filter((t) => !constraints.some((c) => c.table === t && c.type === 'p' && c.columns.includes('tenant_id')))
      .map((t) => {
        const pk = constraints.find((c) => c.table === t && c.type === 'p');
        return pk ? `${t}: ${pk.name} (${pk.columns.join(', ')})` : `${t}: no primary key`;
      });
    expect(offenders).toEqual([]);
  });

  it('every unique index of a tenant-owned table includes tenant_id', () => {
    const offenders = uniqueIndexes
      .filter((i) => tenantOwned.has(i.table) && !i.columns.includes('tenant_id'))
      .map((i) => `${i.table}: ${i.name} (${i.columns.join(', ')})`);
    expect(offenders).toEqual([]);
  });

  it('every foreign key between tenant-owned tables (tenant included) pairs the distribution columns', () => {
    const offenders = constraints
      .filter((c) => c.type === 'f' && tenantOwned.has(c.table) && c.refTable !== null && distributionColumn(c.refTable) !== null)
      .filter((c) => {
        const target = distributionColumn(c.refTable ?? '');
        const at = c.columns.indexOf('tenant_id');
        return at < 0 || c.refColumns?.[at] !== target;
      })
      .map((c) => `${c.table}: ${c.name} (${c.columns.join(', ')}) -> ${c.refTable ?? ''} (${(c.refColumns ?? []).join(', ')})`);
    expect(offenders).toEqual([]);
  });
});
