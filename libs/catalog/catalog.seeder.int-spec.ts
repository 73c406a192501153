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
  it('loads both Private Exchange versions: the first reading (40 activities, 20 duties) and the published page (40, 18)', async () => {
    const result = await seed(db, quietLogger());
    expect(result).toEqual({
      // Load order (docs/catalog-format.md): the first reading (no retrieval date) before the page
      // retrieved on 2026-11-30, which therefore becomes `latest`.
      loaded: ['ovhcloud-private-exchange@2024-06-26', 'ovhcloud-private-exchange@2024-06-25'],
      unchanged: [],
      conflicts: [],
    });
    expect(await query(db.adminUrl, 'SELECT version, seq FROM catalog_version ORDER BY seq')).toEqual([
      { version: '2024-06-26', seq: 1 },
      { version: '2024-06-25', seq: 2 },
    ]);
    const perVersion = await query<{ version: string; activities: number; duties: number; sections: number }>(
      db.adminUrl,
      `SELECT v.version, (SELECT count(*)::int FROM activity a WHERE a.version_id = v.id) AS activities,
              (SELECT count(*)::int FROM activity a WHERE a.version_id = v.id AND a.customer_duty) AS duties,
              (SELECT count(*)::int FROM catalog_section s WHERE s.version_id = v.id) AS sections
         FROM catalog_version v ORDER BY v.version`,
    );
    expect(perVersion).toEqual([
      { version: '2024-06-25', activities: 40, duties: 18, sections: 16 },
      { version: '2024-06-26', activities: 40, duties: 20, sections: 16 },
    ]);
  });

  it("records each version's attribution", async () => {
    const rows = await query(
      db.adminUrl,
      'SELECT version, publisher, license, retrieved_on::text AS retrieved_on, source_path, source_url IS NOT NULL AS has_url FROM catalog_version ORDER BY version',
    );
    expect(rows).toEqual([
      {
        version: '2024-06-25',
        publisher: 'OVHcloud',
        license: 'CC BY-NC-SA 4.0',
        retrieved_on: '2026-11-30',
        source_path: 'seeds/catalogs/sources/private-exchange.en-gb.md',
        has_url: true,
      },
      { version: '2024-06-26', publisher: 'OVHcloud', license: 'CC BY-NC-SA 4.0', retrieved_on: null, source_path: null, has_url: false },
    ]);
  });

  it('is idempotent: a second run (a restart) duplicates nothing', async () => {
    const result = await seed(db, quietLogger());
    expect(result).toEqual({
      loaded: [],
      unchanged: ['ovhcloud-private-exchange@2024-06-26', 'ovhcloud-private-exchange@2024-06-25'],
      conflicts: [],
    });
    expect(await count('catalog')).toBe(1);
    expect(await count('catalog_version')).toBe(2);
    expect(await count('activity')).toBe(80);
  });

  it('a version loaded before its attribution was recorded gets it on the next seed; recorded values are kept', async () => {
    await query(db.adminUrl, "UPDATE catalog_version SET publisher = NULL, license = 'kept' WHERE version = '2024-06-26'");
    await seed(db, quietLogger());
    expect(await query(db.adminUrl, "SELECT publisher, license FROM catalog_version WHERE version = '2024-06-26'")).toEqual([
      { publisher: 'OVHcloud', license: 'kept' },
    ]);
  });

  it('two seeds at once (two replicas starting) still load it once', async () => {
    const fresh = await createTestDatabase({ seed: false });
    try {
      const results = await Promise.all([seed(fresh, quietLogger()), seed(fresh, quietLogger())]);
      expect(results.flatMap((r) => r.loaded)).toHaveLength(2);
      expect(Number((await query<{ n: string }>(fresh.adminUrl, 'SELECT count(*) AS n FROM activity'))[0]?.n)).toBe(80);
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
      const titles = await query<{ title: string }>(
        db.adminUrl,
        "SELECT a.title FROM activity a JOIN catalog_version v ON v.id = a.version_id WHERE a.key = 'PX-04' AND v.version = '2024-06-26'",
      );
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
