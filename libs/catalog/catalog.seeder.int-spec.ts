import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATALOG_DIR, seed } from '../../apps/runtime/prepare-database';
import { createTestDatabase, query, quietLogger, type TestDatabase } from '../../test/harness/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: false });
});
afterAll(async () => db.drop());

const count = async (table: string): Promise<number> =>
  Number((await query<{ n: string }>(db.adminUrl, `SELECT count(*) AS n FROM ${table}`))[0]?.n);

describe('seeding catalogs', () => {
  it('loads the Private Exchange catalog: 40 activities, 20 customer duties', async () => {
    const result = await seed(db, quietLogger());
    expect(result).toEqual({ loaded: ['ovhcloud-private-exchange@2024-06-26'], unchanged: [], conflicts: [] });
    expect(await count('activity')).toBe(40);
    expect(Number((await query<{ n: string }>(db.adminUrl, 'SELECT count(*) AS n FROM activity WHERE customer_duty'))[0]?.n)).toBe(20);
    expect(await count('catalog_section')).toBe(16);
  });

  it('is idempotent: a second run (a restart) duplicates nothing', async () => {
    const result = await seed(db, quietLogger());
    expect(result).toEqual({ loaded: [], unchanged: ['ovhcloud-private-exchange@2024-06-26'], conflicts: [] });
    expect(await count('catalog')).toBe(1);
    expect(await count('catalog_version')).toBe(1);
    expect(await count('activity')).toBe(40);
  });

  it('two seeds at once (two replicas starting) still load it once', async () => {
    const fresh = await createTestDatabase({ seed: false });
    try {
      const results = await Promise.all([seed(fresh, quietLogger()), seed(fresh, quietLogger())]);
      expect(results.flatMap((r) => r.loaded)).toHaveLength(1);
      expect(Number((await query<{ n: string }>(fresh.adminUrl, 'SELECT count(*) AS n FROM activity'))[0]?.n)).toBe(40);
    } finally {
      await fresh.drop();
    }
  });

  it('keeps a loaded version as it is when the file changes under the same version', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogs-'));
    const text = fs
      .readFileSync(path.join(CATALOG_DIR(), 'ovhcloud-private-exchange.json'), 'utf8')
      .replace('Host the service in EU', 'Host the service anywhere');
    fs.writeFileSync(path.join(dir, 'px.json'), text);
    try {
      const result = await seed(db, quietLogger(), dir);
      expect(result.conflicts).toEqual(['ovhcloud-private-exchange@2024-06-26']);
      const titles = await query<{ title: string }>(db.adminUrl, "SELECT title FROM activity WHERE key = 'PX-04'");
      expect(titles).toEqual([{ title: 'Host the service in EU' }]);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('the app role may read catalogs but never change them', async () => {
    expect(await query(db.appUrl, 'SELECT key FROM catalog')).toEqual([{ key: 'ovhcloud-private-exchange' }]);
    await expect(query(db.appUrl, "UPDATE activity SET title = 'x'")).rejects.toThrow(/permission denied/);
    await expect(query(db.appUrl, 'DELETE FROM catalog')).rejects.toThrow(/permission denied/);
    await expect(query(db.appUrl, 'CREATE TABLE evil (id int)')).rejects.toThrow(/permission denied/);
  });

  it('the database refuses a duty without cadence, whatever the loader says', async () => {
    await expect(query(db.adminUrl, "UPDATE activity SET cadence = NULL WHERE key = 'PX-01'")).rejects.toThrow(/activity_duty_has_cadence/);
  });
});
