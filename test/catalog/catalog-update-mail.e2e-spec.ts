import fs from 'node:fs';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { createWorker } from '../../apps/worker/create-worker';
import { loadCatalogs } from '../../apps/runtime/prepare-database';
import { SCHEMA } from '../../apps/runtime/schema';
import { CatalogRepository, CATALOG_PUBLISHED_QUEUE, parseCatalog, type CatalogDefinition } from '../../libs/catalog';
import { createDataSource, createJobQueue } from '../../libs/db';
import { bootTestApp, type TestApp } from '../harness/app';
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { query, quietLogger } from '../harness/database';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';

// "Tenant admins get one mail when a newer version of a catalog they subscribe to is published"
// (docs/catalog-import.md#mail-when-a-newer-version-is-published), with the real worker and a real
// SMTP server: who gets it (admins of tenants on an older version only), once, and nothing when the
// import rolls back.

let sink: SmtpSink;
let t: TestApp;
let call: Caller;
let worker: INestApplicationContext | undefined;
const PUBLIC_URL = 'https://duty.example.test';

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await bootTestApp({ SMTP_URL: sink.url, PUBLIC_URL, RATE_LIMIT_SIGNUP: '10000/1h' });
  call = caller(t.app);
});
afterAll(async () => {
  await worker?.close();
  await t.close();
  await sink.close();
});

async function subscribe(admin: Account, catalogKey: string, version?: string): Promise<string> {
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/subscriptions`,
    token: admin.accessToken,
    payload: { catalogKey, startsOn: '2026-01-01', ...(version ? { version } : {}) },
  });
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string }>().id;
}

/** The bundled corrected Private Exchange catalog, published again as a newer version with one duty reworded. */
function newerPrivateExchange(version: string): CatalogDefinition {
  const file = path.join(__dirname, '../../seeds/catalogs/ovhcloud-private-exchange.2024-06-25.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string; activities: { key: string; title: string }[] };
  json.version = version;
  const first = json.activities.find((a) => a.key === 'PX-11');
  if (first) first.title = `${first.title} (revised)`;
  return parseCatalog(JSON.stringify(json), `${version}.json`);
}

async function publishedJobs(): Promise<{ state: string; data: { versionId: string } }[]> {
  return query(t.db.adminUrl, 'SELECT state, data FROM pgboss.job WHERE name = $1 ORDER BY created_on', [CATALOG_PUBLISHED_QUEUE]);
}

async function waitForJobs(done: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const jobs = await publishedJobs();
    if (jobs.filter((j) => j.state === 'completed').length >= done) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`catalog-published jobs not completed: ${JSON.stringify(await publishedJobs())}`);
}

const recipients = (): string[] => sink.messages.flatMap((m) => m.envelopeTo).sort();

it('mails each admin of each tenant on an older version once, and nobody else; again sends nothing; a rollback queues nothing', async () => {
  // A: two admins, a member, on the first reading (2024-06-26). D: one admin, on the first reading.
  // B: subscribes to the newest version once it is out. C: subscribes to nothing.
  const a = await signup(t.app);
  const a2 = await signup(t.app);
  const aMember = await signup(t.app);
  await addMember(t.db.adminUrl, a.tenantId, a2.userId, 'admin');
  await addMember(t.db.adminUrl, a.tenantId, aMember.userId, 'member');
  const aSub = await subscribe(a, 'ovhcloud-private-exchange', '2024-06-26');
  const d = await signup(t.app);
  const dSub = await subscribe(d, 'ovhcloud-private-exchange', '2024-06-25');
  const b = await signup(t.app);
  const c = await signup(t.app);
  const jobsBefore = (await publishedJobs()).length;

  // A rolled-back import: the version and its job go together.
  const ds = createDataSource({ url: t.db.ownerUrl, poolSize: 1, applicationName: 'test' }, SCHEMA, quietLogger());
  await ds.initialize();
  await expect(
    ds.transaction(async (em) => {
      await CatalogRepository.on(em).store(newerPrivateExchange('2026-10-01'), null);
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  await ds.destroy();
  expect(await publishedJobs()).toHaveLength(jobsBefore);

  // The operator publishes a newer version (what `catalog:import` and the seeder do).
  const result = await loadCatalogs(t.db, quietLogger(), [newerPrivateExchange('2026-11-30')]);
  expect(result.loaded).toEqual(['ovhcloud-private-exchange@2026-11-30']);
  expect(await publishedJobs()).toHaveLength(jobsBefore + 1);
  await subscribe(b, 'ovhcloud-private-exchange'); // latest: 2026-11-30
  expect(c.tenantId).toBeDefined();

  worker = await createWorker(t.config, t.db, quietLogger());
  await waitForJobs(jobsBefore + 1);
  expect(recipients()).toEqual([a.email, a2.email, d.email].sort());

  const toA = sink.messages.find((m) => m.envelopeTo.includes(a.email));
  const text = toA?.parsed.text ?? '';
  expect(toA?.parsed.subject).toContain('ovhcloud-private-exchange 2026-11-30');
  // From the first reading: 1 added (PX-26), 3 withdrawn (PX-03, PX-04, PX-30), the reworded titles and PX-11 changed.
  expect(text).toMatch(/1 duty added, 3 duties withdrawn, \d+ duties changed/);
  expect(text).toContain(`${PUBLIC_URL}/tenants/${a.tenantId}/catalogs?upgrade=${aSub}`);
  expect(text).not.toMatch(/token=/);
  expect(toA?.parsed.headers.get('message-id')).toMatch(/^<catalog-update\.[0-9a-f-]+\.[0-9a-f-]+\.[0-9a-f-]+@dutybook>$/);
  // D was on the corrected reading: only PX-11 reworded.
  const toD = sink.messages.find((m) => m.envelopeTo.includes(d.email));
  expect(toD?.parsed.text).toContain('0 duties added, 0 duties withdrawn, 1 duty changed');
  expect(toD?.parsed.text).toContain(`/tenants/${d.tenantId}/catalogs?upgrade=${dSub}`);
  expect(await query(t.db.adminUrl, 'SELECT count(*)::int AS n FROM catalog_update_mail')).toEqual([{ n: 3 }]);

  // The same job again (a retry, a second worker): nothing more is sent.
  const [job] = (await publishedJobs()).slice(-1);
  const boss = createJobQueue(t.db.appUrl, { applicationName: 'test', schedule: false, supervise: false }, quietLogger());
  await boss.start();
  await boss.send(CATALOG_PUBLISHED_QUEUE, job?.data ?? {});
  await boss.send(CATALOG_PUBLISHED_QUEUE, job?.data ?? {});
  await boss.stop({ graceful: false, wait: true });
  await waitForJobs(jobsBefore + 3);
  await new Promise((r) => setTimeout(r, 300));
  expect(sink.messages).toHaveLength(3);
});

it('a tenant-private catalog: only its own admins are mailed', async () => {
  sink.reset();
  const e = await signup(t.app);
  const eMember = await signup(t.app);
  await addMember(t.db.adminUrl, e.tenantId, eMember.userId, 'member');
  const other = await signup(t.app);
  const csvV1 = [
    'section,activity,customer,provider',
    '1 Before subscription,Choose a backup plan,RA,I',
    '3 Operations,Rotate the keys,RA,C',
  ];
  const csvV2 = [...csvV1, '3 Operations,Test a restore,RA,I'];
  const qs = (v: string): string => `key=acme-backup&provider=Acme&name=Acme%20Backup&publishedOn=2025-01-15&version=${v}`;
  const upload = async (admin: Account, body: string[], v: string): Promise<number> =>
    (
      await call({
        method: 'POST',
        url: `/api/v1/tenants/${admin.tenantId}/catalogs/imports?${qs(v)}`,
        token: admin.accessToken,
        payload: body.join('\n'),
        headers: { 'content-type': 'text/csv' },
      })
    ).statusCode;
  // Another tenant has a private catalog of the same key, on its first version.
  expect(await upload(other, csvV1, 'v1')).toBe(201);
  await subscribe(other, 'acme-backup');
  expect(await upload(e, csvV1, 'v1')).toBe(201);
  const eSub = await subscribe(e, 'acme-backup');
  const done = (await publishedJobs()).length;
  expect(await upload(e, csvV2, 'v2')).toBe(201);
  expect(await publishedJobs()).toHaveLength(done + 1);
  await waitForJobs(done + 1);
  const [mail] = await sink.waitFor(1, 15_000);
  await new Promise((r) => setTimeout(r, 300));
  expect(recipients()).toEqual([e.email]);
  expect(mail?.parsed.text).toContain('1 duty added, 0 duties withdrawn, 0 duties changed');
  expect(mail?.parsed.text).toContain(`/tenants/${e.tenantId}/catalogs?upgrade=${eSub}`);
});
