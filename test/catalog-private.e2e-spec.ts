/**
 * Tenant-private catalogs (POST /tenants/:tenantId/catalogs/imports): behaviour, role matrix,
 * isolation (another tenant cannot see, subscribe to or diff one) and bad input (4xx, never 5xx).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { addMember, caller, signup, type Account, type Caller } from './harness/api';
import { bootTestApp, type TestApp } from './harness/app';
import { query } from './harness/database';

let t: TestApp;
let call: Caller;
let admin: Account;
let other: Account;
const roles: Record<'member' | 'auditor' | 'viewer', Account> = {} as never;

const CSV_V1 = [
  'section,activity,customer,provider',
  '1 Before subscription,Choose a backup plan,RA,I',
  '3 Operations,Rotate the access keys,RA,C',
  '3 Operations,Test a restore of the backups,RA,I',
  '3 Operations,Patch the storage nodes,I,RA',
].join('\n');

// The next revision: one duty moved to the provider, one reworded, one added.
const CSV_V2 = [
  'section,activity,customer,provider',
  '1 Before subscription,Choose a backup plan,RA,I',
  '3 Operations,Rotate the access keys,I,RA',
  '3 Operations,Test the restore of backups,RA,I',
  '3 Operations,Patch the storage nodes,I,RA',
  '3 Operations,Review who can delete backups,RA,C',
].join('\n');

const QS = 'key=acme-backup&provider=Acme%20Hosting&name=Acme%20Backup&publishedOn=2025-01-15';
const importUrl = (tenantId: string, qs = QS): string => `/api/v1/tenants/${tenantId}/catalogs/imports?${qs}`;
const csv = (payload: string | Buffer) => ({ payload, headers: { 'content-type': 'text/csv' } });

function multipart(
  fileName: string,
  content: Buffer,
  type = 'application/octet-stream',
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----dutybook-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const code = (res: LightMyRequestResponse): string => res.json<{ code: string }>().code;
const catalogRows = async (): Promise<number> =>
  Number((await query<{ n: string }>(t.db.adminUrl, 'SELECT count(*) AS n FROM catalog_version'))[0]?.n);

beforeAll(async () => {
  t = await bootTestApp();
  call = caller(t.app);
  admin = await signup(t.app);
  other = await signup(t.app);
  for (const role of ['member', 'auditor', 'viewer'] as const) {
    roles[role] = await signup(t.app);
    await addMember(t.db.adminUrl, admin.tenantId, roles[role].userId, role);
  }
});
afterAll(async () => t.close());

describe('importing a tenant-private catalog', () => {
  it('previews with ?dryRun=true: the CLI summary, nothing stored', async () => {
    const before = await catalogRows();
    const res = await call({
      method: 'POST',
      url: importUrl(admin.tenantId, `${QS}&dryRun=true`),
      token: admin.accessToken,
      ...csv(CSV_V1),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      key: 'acme-backup',
      version: '2025-01-15',
      activities: 4,
      customerDuties: 3,
      providerCommitments: 1,
      uncertain: 0,
      stored: 'dry-run',
    });
    expect(await catalogRows()).toBe(before);
  });

  it('stores it (201) as private to the tenant: listed for the tenant, not publicly', async () => {
    const res = await call({ method: 'POST', url: importUrl(admin.tenantId), token: admin.accessToken, ...csv(CSV_V1) });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ key: 'acme-backup', customerDuties: 3, stored: 'loaded' });
    const [row] = await query<{ tenant_id: string }>(t.db.adminUrl, "SELECT tenant_id FROM catalog WHERE key = 'acme-backup'");
    expect(row?.tenant_id).toBe(admin.tenantId);

    const mine = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/catalogs`, token: roles.viewer.accessToken });
    expect(mine.statusCode).toBe(200);
    const items = mine.json<{ items: { key: string; scope: string }[] }>().items;
    expect(items.map((c) => [c.key, c.scope])).toEqual([
      ['acme-backup', 'tenant'],
      ['ovhcloud-private-exchange', 'global'],
    ]);
    const publicList = await call({ method: 'GET', url: '/api/v1/catalogs' });
    expect(publicList.json<{ items: { key: string }[] }>().items.map((c) => c.key)).toEqual(['ovhcloud-private-exchange']);
    const publicVersions = await call({ method: 'GET', url: '/api/v1/catalogs/acme-backup/versions' });
    expect(publicVersions.statusCode).toBe(404);
  });

  it('the same file again is unchanged (200); other content under the same version is 409 CATALOG_VERSION_EXISTS', async () => {
    const again = await call({ method: 'POST', url: importUrl(admin.tenantId), token: admin.accessToken, ...csv(CSV_V1) });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ stored: 'unchanged' });
    const clash = await call({ method: 'POST', url: importUrl(admin.tenantId), token: admin.accessToken, ...csv(CSV_V2) });
    expect(clash.statusCode).toBe(409);
    expect(code(clash)).toBe('CATALOG_VERSION_EXISTS');
  });

  it('a new version keeps the keys (matched by title), becomes latest, and diffs with scores', async () => {
    const res = await call({
      method: 'POST',
      url: importUrl(admin.tenantId, QS.replace('2025-01-15', '2025-03-01')),
      token: admin.accessToken,
      ...multipart('acme.csv', Buffer.from(CSV_V2), 'text/csv'),
    });
    expect(res.statusCode).toBe(201);
    const versions = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/catalogs/acme-backup/versions`,
      token: roles.auditor.accessToken,
    });
    expect(versions.json<{ versions: { version: string; latest: boolean; customerDutyCount: number }[] }>().versions).toEqual([
      expect.objectContaining({ version: '2025-03-01', latest: true, customerDutyCount: 3 }),
      expect.objectContaining({ version: '2025-01-15', latest: false, customerDutyCount: 3 }),
    ]);
    const diff = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/catalogs/acme-backup/diff?from=2025-01-15&to=latest`,
      token: roles.member.accessToken,
    });
    expect(diff.statusCode).toBe(200);
    const body = diff.json<{
      added: { title: string }[];
      removed: unknown[];
      changed: {
        fromKey: string;
        toKey: string;
        score: number;
        changes: {
          title?: { before: string; after: string };
          section?: { before: string; after: string };
          raci?: Record<string, { before: string; after: string }>;
        };
      }[];
    }>();
    expect(body.added.map((a) => a.title)).toEqual(['Review who can delete backups']);
    expect(body.removed).toEqual([]);
    const rotated = body.changed.find((c) => c.changes.raci?.customer);
    expect(rotated?.changes.raci?.customer).toEqual({ before: 'RA', after: 'I' });
    const reworded = body.changed.find((c) => c.changes.title);
    expect(reworded?.changes.title).toEqual({ before: 'Test a restore of the backups', after: 'Test the restore of backups' });
    expect(reworded?.fromKey).toBe(reworded?.toKey);
    expect(reworded?.score).toBeGreaterThan(0.5);
    expect(reworded?.score).toBeLessThan(1);
  });

  it('a member of the tenant subscribes to it: one task per customer duty of its latest version', async () => {
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/subscriptions`,
      token: admin.accessToken,
      payload: { catalogKey: 'acme-backup', startsOn: new Date().toISOString().slice(0, 10) },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ tasksCreated: 3, catalogVersion: '2025-03-01' });
  });

  it('takes a Markdown page as a text/markdown body (the published Private Exchange page: 40 activities, 18 duties)', async () => {
    const page = fs.readFileSync(path.join(__dirname, '..', 'seeds', 'catalogs', 'sources', 'private-exchange.en-gb.md'));
    const taken = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/catalogs/imports?key=ovhcloud-private-exchange&dryRun=true`,
      token: admin.accessToken,
      payload: page,
      headers: { 'content-type': 'text/markdown; charset=utf-8' },
    });
    expect(taken.statusCode).toBe(409);
    expect(code(taken)).toBe('CATALOG_KEY_TAKEN');
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/catalogs/imports?key=our-exchange&dryRun=true`,
      token: admin.accessToken,
      payload: page,
      headers: { 'content-type': 'text/markdown; charset=utf-8' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ key: 'our-exchange', activities: 40, customerDuties: 18, stored: 'dry-run' });
  });
});

describe('role matrix', () => {
  type Who = 'admin' | 'member' | 'auditor' | 'viewer' | 'nonMember' | 'noToken';
  const token = (who: Who): string | undefined =>
    who === 'admin' ? admin.accessToken : who === 'nonMember' ? other.accessToken : who === 'noToken' ? undefined : roles[who].accessToken;
  const MATRIX: {
    name: string;
    request: () => { method: 'GET' | 'POST'; url: string } & Record<string, unknown>;
    expected: Record<Who, number>;
  }[] = [
    {
      name: 'POST imports (dry run)',
      request: () => ({ method: 'POST', url: importUrl(admin.tenantId, `${QS}&dryRun=true`), ...csv(CSV_V1) }),
      expected: { admin: 200, member: 403, auditor: 403, viewer: 403, nonMember: 404, noToken: 401 },
    },
    {
      name: 'GET catalogs',
      request: () => ({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/catalogs` }),
      expected: { admin: 200, member: 200, auditor: 200, viewer: 200, nonMember: 404, noToken: 401 },
    },
    {
      name: 'GET versions',
      request: () => ({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/catalogs/acme-backup/versions` }),
      expected: { admin: 200, member: 200, auditor: 200, viewer: 200, nonMember: 404, noToken: 401 },
    },
    {
      name: 'GET version',
      request: () => ({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/catalogs/acme-backup/versions/latest` }),
      expected: { admin: 200, member: 200, auditor: 200, viewer: 200, nonMember: 404, noToken: 401 },
    },
    {
      name: 'GET diff',
      request: () => ({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/catalogs/acme-backup/diff?from=2025-01-15&to=latest` }),
      expected: { admin: 200, member: 200, auditor: 200, viewer: 200, nonMember: 404, noToken: 401 },
    },
  ];
  for (const row of MATRIX)
    it.each(Object.entries(row.expected) as [Who, number][])(`${row.name}: %s -> %i`, async (who, status) => {
      const before = await catalogRows();
      const res = await call({ ...row.request(), token: token(who) });
      expect(res.statusCode).toBe(status);
      if (status === 403) expect(code(res)).toBe('FORBIDDEN');
      expect(await catalogRows()).toBe(before);
    });
});

describe('isolation: another tenant', () => {
  it('does not see it, cannot read, diff or subscribe to it (404), and may use the same key for its own', async () => {
    const base = `/api/v1/tenants/${other.tenantId}`;
    const list = await call({ method: 'GET', url: `${base}/catalogs`, token: other.accessToken });
    expect(list.json<{ items: { key: string }[] }>().items.map((c) => c.key)).toEqual(['ovhcloud-private-exchange']);
    for (const url of [
      `${base}/catalogs/acme-backup/versions`,
      `${base}/catalogs/acme-backup/versions/latest`,
      `${base}/catalogs/acme-backup/diff?from=2025-01-15&to=latest`,
    ]) {
      const res = await call({ method: 'GET', url, token: other.accessToken });
      expect(res.statusCode).toBe(404);
      expect(code(res)).toBe('CATALOG_NOT_FOUND');
    }
    const sub = await call({
      method: 'POST',
      url: `${base}/subscriptions`,
      token: other.accessToken,
      payload: { catalogKey: 'acme-backup', startsOn: new Date().toISOString().slice(0, 10) },
    });
    expect(sub.statusCode).toBe(404);
    expect(code(sub)).toBe('CATALOG_NOT_FOUND');
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM subscription WHERE tenant_id = $1', [other.tenantId])).toHaveLength(0);

    const own = await call({ method: 'POST', url: importUrl(other.tenantId), token: other.accessToken, ...csv(CSV_V2) });
    expect(own.statusCode).toBe(201);
    // Its own acme-backup is its first version; the first tenant's two are untouched.
    const versions = await call({ method: 'GET', url: `${base}/catalogs/acme-backup/versions`, token: other.accessToken });
    expect(versions.json<{ versions: { version: string; customerDutyCount: number }[] }>().versions).toEqual([
      expect.objectContaining({ version: '2025-01-15', customerDutyCount: 3 }),
    ]);
    const first = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/catalogs/acme-backup/versions`,
      token: admin.accessToken,
    });
    expect(first.json<{ versions: unknown[] }>().versions).toHaveLength(2);
  });
});

describe('bad input: 4xx with a code, never 5xx, nothing stored', () => {
  const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c6300010000050001', 'hex');
  const cases: [string, () => Record<string, unknown>, number, string][] = [
    ['a binary file (PNG) as multipart', () => multipart('matrix.csv', PNG, 'image/png'), 422, 'CATALOG_IMPORT_INVALID'],
    ['a binary body as text/csv', () => csv(PNG), 422, 'CATALOG_IMPORT_INVALID'],
    ['a 21 MB text/csv body', () => csv(Buffer.alloc(21 * 1024 * 1024, 0x61)), 413, 'PAYLOAD_TOO_LARGE'],
    [
      'a 21 MB multipart file',
      () => multipart('big.csv', Buffer.alloc(21 * 1024 * 1024, 0x61), 'text/csv'),
      413,
      'CATALOG_IMPORT_TOO_LARGE',
    ],
    [
      'a CSV of 10,000 columns',
      () =>
        csv(
          `section,activity,customer,provider,${Array.from({ length: 9996 }, (_, i) => `p${i}`).join(',')}\n1 Before subscription,x,RA,I`,
        ),
      422,
      'CATALOG_IMPORT_INVALID',
    ],
    ['a JSON body', () => ({ payload: { section: 'x' } }), 415, 'CATALOG_IMPORT_UNSUPPORTED'],
    ['a text/plain body', () => ({ payload: CSV_V1, headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['no body', () => ({}), 415, 'CATALOG_IMPORT_UNSUPPORTED'],
    ['an empty CSV', () => csv(''), 422, 'CATALOG_IMPORT_INVALID'],
    ['a letter that is not R, A, C, I', () => csv(CSV_V1.replace('RA,C', 'RX,C')), 422, 'CATALOG_IMPORT_INVALID'],
    ['multipart without a file part', () => multipartField(), 400, 'CATALOG_IMPORT_MALFORMED'],
  ];
  function multipartField(): Record<string, unknown> {
    const boundary = '----dutybook-test-boundary';
    return {
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nhello\r\n--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    };
  }
  it.each(cases)('%s: %i %s', async (_name, body, status, expected) => {
    const before = await catalogRows();
    const res = await call({
      method: 'POST',
      url: importUrl(admin.tenantId, QS.replace('2025-01-15', '2025-09-09')),
      token: admin.accessToken,
      ...body(),
    });
    expect(res.statusCode).toBe(status);
    expect(code(res)).toBe(expected);
    expect(await catalogRows()).toBe(before);
  });

  it.each([
    ['key=Not_A_Key', 'key'],
    ['dryRun=maybe', 'dryRun'],
    ['publishedOn=yesterday', 'publishedOn'],
    ['unknown=1', 'unknown'],
  ])('query %s: 400 VALIDATION_FAILED', async (qs, field) => {
    const res = await call({ method: 'POST', url: importUrl(admin.tenantId, qs), token: admin.accessToken, ...csv(CSV_V1) });
    expect(res.statusCode).toBe(400);
    expect(code(res)).toBe('VALIDATION_FAILED');
    expect(res.body).toContain(field);
  });

  it('keeps formula-looking CSV cells as text: never evaluated, stored as written', async () => {
    const formulas = [
      'section,activity,customer,provider,note',
      '1 Before subscription,"=HYPERLINK(""http://evil.example"",""click"")",RA,I,+1',
      '3 Operations,@SUM(A1:A9),RA,I,-2',
    ].join('\n');
    const res = await call({
      method: 'POST',
      url: importUrl(admin.tenantId, 'key=formulas&provider=Acme&name=Formulas&publishedOn=2025-02-02'),
      token: admin.accessToken,
      ...csv(formulas),
    });
    expect(res.statusCode).toBe(201);
    const version = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/catalogs/formulas/versions/latest`,
      token: admin.accessToken,
    });
    const activities = version
      .json<{ sections: { activities: { title: string; note: string | null }[] }[] }>()
      .sections.flatMap((s) => s.activities);
    expect(activities.map((a) => [a.title, a.note])).toEqual([
      ['=HYPERLINK("http://evil.example","click")', '+1'],
      ['@SUM(A1:A9)', '-2'],
    ]);
  });
});
