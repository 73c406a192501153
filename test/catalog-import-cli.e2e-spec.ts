import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../libs/core';
import { insertTenant, insertUser } from './factories/tenancy';
import { createTestDatabase, query, type TestDatabase } from './harness/database';

// The compiled script behind `npm run catalog:import` (npm test builds first).
const CLI = path.join(projectRoot(), 'dist', 'apps', 'cli', 'catalog.js');
// The providers' published pages, kept byte for byte as test data (test/fixtures/catalogs/ovh/SOURCES.md).
const OVH = path.join(projectRoot(), 'test', 'fixtures', 'catalogs', 'ovh');

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-import-'));
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: dir,
        LOG_LEVEL: 'silent',
        DATABASE_URL: db.appUrl,
        DATABASE_OWNER_URL: db.ownerUrl,
        MIGRATE_ON_START: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const versions = (): Promise<{ key: string; version: string; activities: number; duties: number }[]> =>
  query(
    db.adminUrl,
    `SELECT c.key, v.version, (SELECT count(*)::int FROM activity a WHERE a.version_id = v.id) AS activities,
            (SELECT count(*)::int FROM activity a WHERE a.version_id = v.id AND a.customer_duty) AS duties
       FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id ORDER BY c.key, v.version`,
  );

const SEEDED = [
  { key: 'ovhcloud-private-exchange', version: '2024-06-25', activities: 40, duties: 18 },
  { key: 'ovhcloud-private-exchange', version: '2024-06-26', activities: 40, duties: 20 },
];

describe('npm run catalog:import', () => {
  const hosted = path.join(OVH, 'hosted-exchange.en-gb.md');

  it('--dry-run --json prints the counts and stores nothing', async () => {
    expect(fs.existsSync(CLI)).toBe(true);
    const res = await run([hosted, '--key', 'ovhcloud-hosted-exchange', '--dry-run', '--json']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(res.stdout)).toEqual({
      key: 'ovhcloud-hosted-exchange',
      version: '2022-11-15',
      activities: 49,
      customerDuties: 16,
      providerCommitments: 14,
      uncertain: 0,
      warnings: [],
      stored: 'dry-run',
    });
    expect(await versions()).toEqual(SEEDED);
  });

  it('stores a global catalog through the seeder, with its attribution; a second run changes nothing', async () => {
    const args = [
      hosted,
      '--key',
      'ovhcloud-hosted-exchange',
      '--publisher',
      'OVHcloud',
      '--license',
      'CC BY-NC-SA 4.0',
      '--retrieved-on',
      '2026-11-30',
    ];
    const first = await run(args);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(
      'ovhcloud-hosted-exchange@2022-11-15: 49 activities, 16 customer duties, 14 provider commitments, 0 uncertain; loaded\n',
    );
    expect(await versions()).toEqual([{ key: 'ovhcloud-hosted-exchange', version: '2022-11-15', activities: 49, duties: 16 }, ...SEEDED]);
    expect(
      await query(
        db.adminUrl,
        "SELECT c.name, c.provider, v.publisher, v.license, v.retrieved_on::text AS retrieved_on FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id WHERE c.key = 'ovhcloud-hosted-exchange'",
      ),
    ).toEqual([
      {
        name: 'Hosted Exchange - Responsibility model',
        provider: 'OVHcloud',
        publisher: 'OVHcloud',
        license: 'CC BY-NC-SA 4.0',
        retrieved_on: '2026-11-30',
      },
    ]);
    const again = await run([...args, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ key: 'ovhcloud-hosted-exchange', stored: 'unchanged' });
  });

  it('a new version of a loaded catalog keeps the keys of the version it matches', async () => {
    const res = await run([
      path.join(OVH, 'private-exchange.en-gb.md'),
      '--key',
      'ovhcloud-private-exchange',
      '--version',
      '2024-06-25-b',
      '--json',
    ]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ version: '2024-06-25-b', activities: 40, customerDuties: 18, stored: 'loaded' });
    const keys = async (version: string): Promise<string[]> =>
      (
        await query<{ key: string }>(
          db.adminUrl,
          'SELECT a.key FROM activity a JOIN catalog_version v ON v.id = a.version_id WHERE v.version = $1 ORDER BY a.position',
          [version],
        )
      ).map((r) => r.key);
    expect(await keys('2024-06-25-b')).toEqual(await keys('2024-06-26'));
    expect((await keys('2024-06-25-b'))[0]).toBe('PX-01');
  });

  it('a bad file exits 1 with line-numbered errors and stores nothing', async () => {
    const bad = path.join(dir, 'bad.md');
    const text = fs.readFileSync(hosted, 'utf8').replace('| Provide service licences | I | RA |', '| Provide service licences | X | RA |');
    fs.writeFileSync(bad, text);
    const line = text.split('\n').findIndex((l) => l.includes('| Provide service licences')) + 1;
    const before = await versions();
    const res = await run([bad, '--key', 'acme-bad', '--json']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`refused:\n  - line ${line}, cell "Customer": "X" has unknown letter(s) "X"`);
    expect(JSON.parse(res.stdout)).toMatchObject({ errors: [{ line, cell: 'Customer' }] });
    expect(await versions()).toEqual(before);
  });

  it('a binary file and an existing version with other content are refused; bad arguments exit 2', async () => {
    const bin = path.join(dir, 'matrix.xlsx');
    fs.writeFileSync(bin, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]));
    const binary = await run([bin]);
    expect(binary.code).toBe(1);
    expect(binary.stderr).toMatch(/binary file/);

    const changed = path.join(dir, 'hosted-changed.md');
    fs.writeFileSync(changed, fs.readFileSync(hosted, 'utf8').replace('Provide service licences', 'Provide service licenses'));
    const before = await versions();
    const conflict = await run([changed, '--key', 'ovhcloud-hosted-exchange']);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/ovhcloud-hosted-exchange@2022-11-15 is already loaded with other content/);
    expect(await versions()).toEqual(before);

    const usage = await run(['--frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/unknown option --frobnicate/);
  });

  it('--tenant ID stores a private catalog of that tenant; a global key, an unknown tenant or a bad id are refused', async () => {
    const user = await insertUser(db.adminUrl);
    const tenantId = await insertTenant(db.adminUrl, user.id, 'CLI Org');
    const ok = await run([hosted, '--key', 'our-hosted-exchange', '--tenant', tenantId, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ key: 'our-hosted-exchange', customerDuties: 16, stored: 'loaded', tenantId });
    expect(await query(db.adminUrl, "SELECT tenant_id FROM catalog WHERE key = 'our-hosted-exchange'")).toEqual([{ tenant_id: tenantId }]);
    expect(await query(db.adminUrl, 'SELECT count(*)::int AS n FROM activity WHERE tenant_id = $1', [tenantId])).toEqual([{ n: 49 }]);

    const before = await versions();
    const taken = await run([hosted, '--key', 'ovhcloud-hosted-exchange', '--tenant', tenantId]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/a global catalog is called ovhcloud-hosted-exchange/);
    const unknown = await run([hosted, '--key', 'their-exchange', '--tenant', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/there is no tenant/);
    expect(await versions()).toEqual(before);
    const bad = await run([hosted, '--tenant', 'acme']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tenant takes a tenant id/);
  }, 120000);
});
