import fs from 'node:fs';
import ICAL from 'ical.js';
import { EvidencePacksService } from '../../libs/exports';
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { query, quietLogger } from '../harness/database';
import { checkZip, python, run } from '../harness/external-tools';
import type { TestApp } from '../harness/app';
import { createTask, multipartBody, multipartHeaders, storedPath, upload } from '../evidence/setup';
import { bootWithWorker, bytesOf, sha256, tempFile, until } from './setup';

interface PackView {
  id: string;
  state: string;
  error: string | null;
  size: number | null;
  manifestSha256: string | null;
  progress: { filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number };
}
interface Manifest {
  tenant: { id: string; name: string };
  catalogs: { key: string; version: string }[];
  requestedBy: { id: string; name: string | null };
  auditChain: { headSeq: number; headHash: string };
  files: { path: string; sha256: string; size: number }[];
  tasks: { id: string; title: string; reviews: { decision: string; comment: string | null }[]; assignee: { name: string | null } | null }[];
  evidence: { id: string; taskId: string; kind: string; sha256: string | null; path: string }[];
  auditEvents: { seq: number; action: string; hash: string }[];
}

let t: TestApp;
let call: Caller;
let admin: Account;
let member: Account;
let auditor: Account;
let other: Account;
const tasks: string[] = [];
const TEXT = 'Backup log line\n'.repeat(4000);
const CSV = 'host,status\nmx1,ok\n';

beforeAll(async () => {
  t = await bootWithWorker();
  call = caller(t.app);
  admin = await signup(t.app, { organization: 'Stadtwerke Süd GmbH', name: 'Ada Admin' });
  member = await signup(t.app, { name: '=HYPERLINK("http://evil.example","x")' });
  auditor = await signup(t.app, { name: 'Grace Auditor' });
  other = await signup(t.app, { organization: 'Other Org' });
  await addMember(t.db.adminUrl, admin.tenantId, member.userId, 'member');
  await addMember(t.db.adminUrl, admin.tenantId, auditor.userId, 'auditor');
  for (const key of ['PX-11', 'PX-13', 'PX-15', 'PX-22'])
    tasks.push(await createTask(t, admin.tenantId, admin.userId, { activityKey: key }));
  for (const [i, id] of tasks.entries())
    await query(t.db.adminUrl, 'UPDATE task SET due_date = $2::date, assignee_id = $3 WHERE id = $1', [
      id,
      `2026-03-0${i + 1}`,
      member.userId,
    ]);
  const [a, b] = tasks as [string, string];
  expect((await upload(call, member.accessToken, admin.tenantId, a, { filename: 'backup.log', content: TEXT })).statusCode).toBe(201);
  expect((await upload(call, member.accessToken, admin.tenantId, a, { filename: 'backup.log', content: `${TEXT}2` })).statusCode).toBe(201);
  expect((await upload(call, member.accessToken, admin.tenantId, b, { filename: 'hosts.csv', content: CSV })).statusCode).toBe(201);
  const link = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/tasks/${b}/evidence`,
    token: member.accessToken,
    payload: { kind: 'link', url: 'https://wiki.example/runbook' },
  });
  expect(link.statusCode).toBe(201);
  expect(
    (await call({ method: 'POST', url: `/api/v1/tenants/${admin.tenantId}/tasks/${a}/complete`, token: member.accessToken, payload: {} }))
      .statusCode,
  ).toBe(200);
  const review = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/tasks/${a}/reviews`,
    token: auditor.accessToken,
    payload: { decision: 'reject', comment: 'Log misses March' },
  });
  expect(review.statusCode).toBe(201);
}, 60_000);

afterAll(async () => {
  await t.close();
});

async function buildPack(account: Account, tenantId: string, filter: Record<string, unknown> = {}): Promise<PackView> {
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${tenantId}/evidence-packs`,
    token: account.accessToken,
    payload: filter,
  });
  expect(res.statusCode).toBe(202);
  const id = res.json<PackView>().id;
  return until('the pack', async () => {
    const r = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}/evidence-packs/${id}`, token: account.accessToken });
    const view = r.json<PackView>();
    return view.state === 'ready' || view.state === 'failed' ? view : undefined;
  });
}

async function download(account: Account, tenantId: string, id: string): Promise<string> {
  const res = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}/evidence-packs/${id}/content`, token: account.accessToken });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/zip');
  expect(Number(res.headers['content-length'])).toBe(bytesOf(res).length);
  return tempFile('pack.zip', bytesOf(res));
}

function verifyUpload(account: Account, tenantId: string, name: string, content: Buffer): ReturnType<Caller> {
  return call({
    method: 'POST',
    url: `/api/v1/tenants/${tenantId}/evidence-packs/verify`,
    token: account.accessToken,
    headers: multipartHeaders(),
    payload: multipartBody([{ name: 'file', filename: name, content }]),
  });
}

const unzipRead = async (file: string, entry: string): Promise<Buffer> =>
  Buffer.from(
    await python('import sys,zipfile\nsys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).hex())', [file, entry]),
    'hex',
  );

describe('evidence pack', () => {
  let pack: PackView;
  let file: string;
  let manifestBytes: Buffer;
  let manifest: Manifest;

  beforeAll(async () => {
    pack = await buildPack(auditor, admin.tenantId);
    file = await download(auditor, admin.tenantId, pack.id);
    manifestBytes = await unzipRead(file, 'manifest.json');
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  }, 60_000);

  it('is built by the worker with its progress, and opens in unzip, Python and bsdtar', async () => {
    expect(pack.state).toBe('ready');
    expect(pack.progress).toEqual({
      filesDone: 3,
      filesTotal: 3,
      bytesDone: 2 * TEXT.length + 1 + CSV.length,
      bytesTotal: 2 * TEXT.length + 1 + CSV.length,
    });
    const names = await checkZip(file);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'report.pdf', 'tasks.csv', 'README.txt']));
    expect(names.filter((n) => n.endsWith('backup.log') || n.endsWith('backup (2).log'))).toHaveLength(2);
    expect(names.some((n) => /^operations\/PX-11 .+\/2026-01-\d\d\/backup\.log$/.test(n))).toBe(true);
  });

  it('lists every file with the sha256 the tools compute, and the manifest hash is in the audit trail', async () => {
    for (const f of manifest.files) expect(sha256(await unzipRead(file, f.path))).toBe(f.sha256);
    expect(manifest.files.map((f) => f.path).sort()).toEqual((await checkZip(file)).filter((n) => n !== 'manifest.json').sort());
    expect(sha256(manifestBytes)).toBe(pack.manifestSha256);
    const events = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/audit-events?limit=5`, token: auditor.accessToken });
    const generated = events
      .json<{ items: { action: string; data: { manifestSha256?: string } }[] }>()
      .items.find((e) => e.action === 'evidence_pack.generated');
    expect(generated?.data.manifestSha256).toBe(pack.manifestSha256);
  });

  it('describes tenant, tasks with reviews, evidence with paths, and audit events', () => {
    expect(manifest.tenant).toEqual({ id: admin.tenantId, name: 'Stadtwerke Süd GmbH' });
    expect(manifest.requestedBy).toEqual({ id: auditor.userId, name: 'Grace Auditor' });
    expect(manifest.catalogs.map((c) => c.key)).toEqual(['ovhcloud-private-exchange']);
    expect(manifest.tasks.map((x) => x.id).sort()).toEqual([...tasks].sort());
    const reviewed = manifest.tasks.find((x) => x.id === tasks[0]);
    expect(reviewed?.reviews).toEqual([expect.objectContaining({ decision: 'reject', comment: 'Log misses March' })]);
    expect(manifest.evidence).toHaveLength(4);
    for (const e of manifest.evidence) expect(manifest.files.some((f) => f.path === e.path)).toBe(true);
    expect(
      manifest.evidence.filter((e) => e.kind === 'file').every((e) => manifest.files.find((f) => f.path === e.path)?.sha256 === e.sha256),
    ).toBe(true);
    const actions = manifest.auditEvents.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['evidence.added', 'task.completed']));
    expect(manifest.auditChain.headSeq).toBeGreaterThan(0);
  });

  it('carries a report pdftotext reads and a tasks.csv Python reads', async () => {
    const pdf = tempFile('report.pdf', await unzipRead(file, 'report.pdf'));
    const text = (await run('pdftotext', [pdf, '-'])).stdout;
    expect(text).toContain('Stadtwerke Süd GmbH');
    expect(text).toContain('Duties: 4');
    expect(Number(/Pages:\s+(\d+)/.exec((await run('pdfinfo', [pdf])).stdout)?.[1])).toBeGreaterThanOrEqual(2);
    const csv = tempFile('tasks.csv', await unzipRead(file, 'tasks.csv'));
    const rows = JSON.parse(
      await python('import csv,json,sys\nprint(json.dumps(list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))))', [
        csv,
      ]),
    ) as Record<string, string>[];
    expect(rows.map((r) => r['id']).sort()).toEqual([...tasks].sort());
    expect(rows.every((r) => r['assigneeName']?.startsWith("'="))).toBe(true);
  });

  it('resumes with ranges: 206 with the bytes asked for, 416 past the end', async () => {
    const whole = fs.readFileSync(file);
    const url = `/api/v1/tenants/${admin.tenantId}/evidence-packs/${pack.id}/content`;
    const part = await call({ method: 'GET', url, token: auditor.accessToken, headers: { range: 'bytes=100-1099' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-1099/${whole.length}`);
    expect(bytesOf(part).equals(whole.subarray(100, 1100))).toBe(true);
    const tail = await call({ method: 'GET', url, token: auditor.accessToken, headers: { range: `bytes=${whole.length - 10}-` } });
    expect(bytesOf(tail).equals(whole.subarray(whole.length - 10))).toBe(true);
    const past = await call({ method: 'GET', url, token: auditor.accessToken, headers: { range: `bytes=${whole.length}-` } });
    expect(past.statusCode).toBe(416);
    expect(past.json<{ code: string }>().code).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('verify: the pack and its manifest match; a changed file, a changed manifest and another tenant do not', async () => {
    const good = await verifyUpload(auditor, admin.tenantId, 'pack.zip', fs.readFileSync(file));
    expect(good.statusCode).toBe(200);
    expect(good.json<{ valid: boolean; manifest: { recordedAt: unknown } }>()).toMatchObject({
      valid: true,
      manifest: { recordedAt: expect.anything() },
    });
    expect((await verifyUpload(auditor, admin.tenantId, 'manifest.json', manifestBytes)).json<{ valid: boolean }>().valid).toBe(true);

    // A file changed inside the pack (rebuilt with zip, a tool nobody here wrote).
    const changed = tempFile('x', '');
    fs.rmSync(changed);
    const dir = `${changed}-dir`;
    await run('unzip', ['-q', file, '-d', dir]);
    fs.appendFileSync(`${dir}/tasks.csv`, 'forged,row\r\n');
    await run('sh', ['-c', `cd "${dir}" && zip -qr "${changed}.zip" .`]);
    const bad = (await verifyUpload(auditor, admin.tenantId, 'pack.zip', fs.readFileSync(`${changed}.zip`))).json<{
      valid: boolean;
      files: { path: string; match: boolean }[];
    }>();
    expect(bad.valid).toBe(false);
    expect(bad.files.filter((f) => !f.match).map((f) => f.path)).toEqual(['tasks.csv']);

    const forged = Buffer.from(manifestBytes.toString('utf8').replace('Grace Auditor', 'Grace Auditer'));
    const m = (await verifyUpload(auditor, admin.tenantId, 'manifest.json', forged)).json<{
      valid: boolean;
      manifest: { recordedAt: unknown };
    }>();
    expect(m).toMatchObject({ valid: false, manifest: { recordedAt: null } });

    const elsewhere = (await verifyUpload(other, other.tenantId, 'pack.zip', fs.readFileSync(file))).json<{
      valid: boolean;
      manifest: { recordedAt: unknown; tenantMatches: boolean };
    }>();
    expect(elsewhere).toMatchObject({ valid: false, manifest: { recordedAt: null, tenantMatches: false } });

    const junk = await verifyUpload(auditor, admin.tenantId, 'x.bin', Buffer.from('not a pack'));
    expect(junk.statusCode).toBe(422);
    expect(junk.json<{ code: string }>().code).toBe('PACK_UNREADABLE');
  });

  it('another tenant cannot read, download or learn of the pack', async () => {
    for (const url of [`/evidence-packs/${pack.id}`, `/evidence-packs/${pack.id}/content`]) {
      const res = await call({ method: 'GET', url: `/api/v1/tenants/${other.tenantId}${url}`, token: other.accessToken });
      expect(res.statusCode).toBe(404);
      expect(res.json<{ code: string }>().code).toBe('EVIDENCE_PACK_NOT_FOUND');
    }
    const list = await call({ method: 'GET', url: `/api/v1/tenants/${other.tenantId}/evidence-packs`, token: other.accessToken });
    expect(list.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('expires: 410 at once, and the sweep deletes the file', async () => {
    const p = await buildPack(admin, admin.tenantId, { tasks: [tasks[1]] });
    const key = storedPath(t, `${admin.tenantId}/${p.id}`);
    expect(fs.existsSync(key)).toBe(true);
    await query(t.db.adminUrl, "UPDATE evidence_pack SET expires_at = now() - interval '1 second' WHERE id = $1", [p.id]);
    const res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/evidence-packs/${p.id}/content`,
      token: admin.accessToken,
    });
    expect(res.statusCode).toBe(410);
    expect(res.json<{ code: string }>().code).toBe('EVIDENCE_PACK_EXPIRED');
    expect(await t.app.get(EvidencePacksService).expireDue(quietLogger())).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(key)).toBe(false);
    const view = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/evidence-packs/${p.id}`, token: admin.accessToken });
    expect(view.json<PackView>().state).toBe('expired');
  });

  it('fails with a clear state and leaves nothing downloadable when a stored file is gone', async () => {
    const [row] = await query<{ storage_key: string }>(
      t.db.adminUrl,
      "SELECT storage_key FROM evidence WHERE task_id = $1 AND kind = 'file'",
      [tasks[1]],
    );
    const stored = storedPath(t, row!.storage_key);
    const saved = fs.readFileSync(stored);
    fs.rmSync(stored);
    try {
      const p = await buildPack(admin, admin.tenantId, { tasks: [tasks[1]] });
      expect(p.state).toBe('failed');
      expect(p.error).toMatch(/evidence storage/);
      expect(fs.existsSync(storedPath(t, `${admin.tenantId}/${p.id}`))).toBe(false);
      const res = await call({
        method: 'GET',
        url: `/api/v1/tenants/${admin.tenantId}/evidence-packs/${p.id}/content`,
        token: admin.accessToken,
      });
      expect(res.statusCode).toBe(409);
      expect(res.json<{ code: string; details: { state: string } }>()).toMatchObject({
        code: 'EVIDENCE_PACK_NOT_READY',
        details: { state: 'failed' },
      });
    } finally {
      fs.writeFileSync(stored, saved);
    }
  });
});

describe('status report and exports', () => {
  it('status.pdf: pdftotext finds the tenant, every duty title and the counts; pdfinfo the pages', async () => {
    const res = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/reports/status.pdf`, token: member.accessToken });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = tempFile('status.pdf', bytesOf(res));
    const text = (await run('pdftotext', [pdf, '-'])).stdout.replace(/\s+/g, ' ');
    expect(text).toContain('Stadtwerke Süd GmbH');
    const list = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/tasks`, token: member.accessToken });
    for (const task of list.json<{ items: { title: string }[] }>().items) expect(text).toContain(task.title.replace(/\s+/g, ' '));
    expect(text).toContain('Duties: 4');
    expect(text).toContain('Provider commitments');
    expect(Number(/Pages:\s+(\d+)/.exec((await run('pdfinfo', [pdf])).stdout)?.[1])).toBeGreaterThanOrEqual(3);
  });

  it("status.pdf: the generated-at time is in the tenant's time zone, which it names", async () => {
    const zone = 'Pacific/Kiritimati';
    const settings = `/api/v1/tenants/${admin.tenantId}/reminder-settings`;
    const set = await call({ method: 'PATCH', url: settings, token: admin.accessToken, payload: { timeZone: zone } });
    expect(set.statusCode).toBe(200);
    try {
      const local = (d: Date): string =>
        new Intl.DateTimeFormat('sv-SE', {
          timeZone: zone,
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        }).format(d);
      const before = local(new Date());
      const res = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/reports/status.pdf`, token: member.accessToken });
      const after = local(new Date());
      expect(res.statusCode).toBe(200);
      const text = (await run('pdftotext', [tempFile('status-zone.pdf', bytesOf(res)), '-'])).stdout.replace(/\s+/g, ' ');
      const stamp = /Generated: (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) \(([^)]+)\)/.exec(text);
      expect(stamp?.[2]).toBe(zone);
      expect([before, after]).toContain(stamp?.[1]);
    } finally {
      await call({ method: 'PATCH', url: settings, token: admin.accessToken, payload: { timeZone: 'UTC' } });
    }
  });

  it('export.csv and export.xlsx hold the list API rows, with formula cells neutralised', async () => {
    const list = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/tasks?status=todo,done`, token: member.accessToken });
    const ids = list.json<{ items: { id: string }[] }>().items.map((x) => x.id);
    const csv = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/tasks/export.csv?status=todo,done`,
      token: member.accessToken,
    });
    expect(csv.statusCode).toBe(200);
    const csvFile = tempFile('tasks.csv', bytesOf(csv));
    const rows = JSON.parse(
      await python('import csv,json,sys\nprint(json.dumps(list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))))', [
        csvFile,
      ]),
    ) as Record<string, string>[];
    expect(rows.map((r) => r['id'])).toEqual(ids);
    expect(rows[0]?.['assigneeName']).toBe('\'=HYPERLINK("http://evil.example","x")');
    const xlsx = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/tasks/export.xlsx?status=todo,done`,
      token: member.accessToken,
    });
    expect(xlsx.statusCode).toBe(200);
    const xlsxFile = tempFile('tasks.xlsx', bytesOf(xlsx));
    const sheet = JSON.parse(
      await python(
        'import json,sys,openpyxl\nws=openpyxl.load_workbook(sys.argv[1]).active\nprint(json.dumps({"ids":[r[0].value for r in ws.iter_rows(min_row=2)],"names":[r[11].value for r in ws.iter_rows(min_row=2)],"formulas":[c.coordinate for r in ws.iter_rows() for c in r if c.data_type=="f"],"quoted":[r[11].quotePrefix for r in ws.iter_rows(min_row=2)]}))',
        [xlsxFile],
      ),
    ) as { ids: string[]; names: string[]; formulas: string[]; quoted: boolean[] };
    expect(sheet.ids).toEqual(ids);
    expect(sheet.formulas).toEqual([]);
    expect(sheet.names.every((n) => n === '=HYPERLINK("http://evil.example","x")')).toBe(true);
    expect(sheet.quoted.every(Boolean)).toBe(true);
  });

  it('export.jsonl streams the chain oldest first with each hash, as the audit API has it', async () => {
    const res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/audit-events/export.jsonl`,
      token: auditor.accessToken,
    });
    expect(res.statusCode).toBe(200);
    const events = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; hash: string; prevHash: string });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (let i = 1; i < events.length; i++) expect(events[i]?.prevHash).toBe(events[i - 1]?.hash);
    const head = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/audit-events?limit=1`, token: auditor.accessToken });
    expect(events.at(-1)?.hash).toBe(head.json<{ items: { hash: string }[] }>().items[0]?.hash);
  });

  it('bad filters are 400 with a code, never 5xx', async () => {
    for (const url of [
      'tasks/export.csv?status=nope',
      'tasks/export.xlsx?limit=5',
      'reports/status.pdf?periodFrom=2026-13-01',
      'reports/status.pdf?unknown=1',
    ]) {
      const res = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/${url}`, token: admin.accessToken });
      expect([url, res.statusCode]).toEqual([url, 400]);
      expect(res.json<{ code: string }>().code).toBe('VALIDATION_FAILED');
    }
    for (const payload of [
      { phase: 'moon' },
      { tasks: 'x' },
      { tasks: ['not-a-uuid'] },
      { status: [1] },
      { periodTo: 20260101 },
      { extra: true },
      [],
    ]) {
      const res = await call({
        method: 'POST',
        url: `/api/v1/tenants/${admin.tenantId}/evidence-packs`,
        token: admin.accessToken,
        payload,
      });
      expect([JSON.stringify(payload), res.statusCode]).toEqual([JSON.stringify(payload), 400]);
    }
    const [count] = await query<{ n: string }>(
      t.db.adminUrl,
      'SELECT count(*) AS n FROM evidence_pack WHERE tenant_id = $1 AND filter ? $2',
      [admin.tenantId, 'extra'],
    );
    expect(count?.n).toBe('0');
    const missing = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/evidence-packs/not-a-uuid`,
      token: admin.accessToken,
    });
    expect(missing.statusCode).toBe(404);
    const noFile = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/evidence-packs/verify`,
      token: admin.accessToken,
      payload: {},
    });
    expect(noFile.statusCode).toBe(400);
  });
});

describe('calendar feeds', () => {
  const ics = (url: string): string => new URL(url).pathname;

  it("lists the member's open assigned tasks once each with their dates; python3-icalendar and ical.js agree", async () => {
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/calendar-feeds`,
      token: member.accessToken,
      payload: {},
    });
    expect(res.statusCode).toBe(201);
    const feed = res.json<{ id: string; url: string; token: string }>();
    const doc = await call({ method: 'GET', url: ics(feed.url) });
    expect(doc.statusCode).toBe(200);
    expect(doc.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const [expected] = [
      await query<{ id: string; due: string }>(
        t.db.adminUrl,
        "SELECT id, due_date::text AS due FROM task WHERE tenant_id = $1 AND assignee_id = $2 AND status IN ('todo','in_progress','rejected') AND due_date IS NOT NULL ORDER BY id",
        [admin.tenantId, member.userId],
      ),
    ];
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const py = JSON.parse(
      await python(
        'import json,sys,icalendar\ncal=icalendar.Calendar.from_ical(sys.stdin.read())\nprint(json.dumps(sorted([[str(e["UID"]).split("@")[0], e.decoded("DTSTART").isoformat(), str(e["URL"])] for e in cal.walk("VEVENT")])))',
        [],
        doc.body,
      ),
    ) as [string, string, string][];
    expect(py.map(([id, due]) => ({ id, due }))).toEqual(expected);
    expect(py.every(([id, , url]) => url === `https://dutybook.example/tenants/${admin.tenantId}/tasks/${id}`)).toBe(true);
    const vevents = new ICAL.Component(ICAL.parse(doc.body) as unknown[]).getAllSubcomponents('vevent');
    expect(vevents.map((v) => new ICAL.Event(v).startDate.toString()).sort()).toEqual(expected.map((e) => e.due).sort());

    // Revoked: 404 from then on.
    expect(
      (await call({ method: 'DELETE', url: `/api/v1/tenants/${admin.tenantId}/calendar-feeds/${feed.id}`, token: member.accessToken }))
        .statusCode,
    ).toBe(204);
    const gone = await call({ method: 'GET', url: ics(feed.url) });
    expect(gone.statusCode).toBe(404);
    expect(gone.json<{ code: string }>().code).toBe('CALENDAR_FEED_NOT_FOUND');
  });

  it('a tenant-wide feed is for admins; tokens moved to another tenant, altered or unknown answer 404', async () => {
    const denied = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/calendar-feeds`,
      token: member.accessToken,
      payload: { scope: 'tenant' },
    });
    expect(denied.statusCode).toBe(403);
    const feed = (
      await call({
        method: 'POST',
        url: `/api/v1/tenants/${admin.tenantId}/calendar-feeds`,
        token: admin.accessToken,
        payload: { scope: 'tenant' },
      })
    ).json<{ id: string; token: string }>();
    const all = await call({ method: 'GET', url: `/api/v1/calendar-feeds/${feed.token}.ics` });
    expect(all.statusCode).toBe(200);
    expect(all.body.match(/BEGIN:VEVENT/g)?.length).toBeGreaterThanOrEqual(3);
    const [, secret] = feed.token.split('.');
    for (const token of [
      `${other.tenantId}.${secret}`,
      `${admin.tenantId}.${secret!.slice(0, -1)}${secret!.endsWith('A') ? 'B' : 'A'}`,
      'nonsense',
      admin.tenantId,
    ]) {
      const res = await call({ method: 'GET', url: `/api/v1/calendar-feeds/${token}.ics` });
      expect([token, res.statusCode]).toEqual([token, 404]);
    }
    // Another tenant's member cannot revoke it (404, nothing changed).
    const foreign = await call({
      method: 'DELETE',
      url: `/api/v1/tenants/${other.tenantId}/calendar-feeds/${feed.id}`,
      token: other.accessToken,
    });
    expect(foreign.statusCode).toBe(404);
    expect((await call({ method: 'GET', url: `/api/v1/calendar-feeds/${feed.token}.ics` })).statusCode).toBe(200);
    // A member whose membership ends loses the feed.
    await query(t.db.adminUrl, "UPDATE membership SET role = 'member' WHERE tenant_id = $1 AND user_id = $2", [
      admin.tenantId,
      admin.userId,
    ]);
    try {
      expect((await call({ method: 'GET', url: `/api/v1/calendar-feeds/${feed.token}.ics` })).statusCode).toBe(404);
    } finally {
      await query(t.db.adminUrl, "UPDATE membership SET role = 'admin' WHERE tenant_id = $1 AND user_id = $2", [
        admin.tenantId,
        admin.userId,
      ]);
    }
  });
});
