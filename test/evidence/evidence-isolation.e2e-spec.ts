/**
 * Tenant isolation: tenant B's callers using tenant A's task and evidence ids get 404 and write
 * nothing, even a user who is a member of both; row-level security and the (tenant, task)
 * foreign key hold underneath.
 */
import { Client } from 'pg';
import type { EvidenceView } from '../../libs/evidence';
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { bootTestApp, type TestApp } from '../harness/app';
import { query } from '../harness/database';
import { SAMPLES } from './files';
import { createTask, evidenceRows, multipartBody, multipartHeaders, storedFiles, taskRow, upload } from './setup';

let t: TestApp;
let call: Caller;
let a: Account;
let b: Account;
/** Member of both tenants (admin in B, auditor in A): B's routes still never reach A's rows. */
let both: Account;
let taskA: string;
let taskB: string;
let evidenceA: EvidenceView;

beforeAll(async () => {
  t = await bootTestApp();
  call = caller(t.app);
  a = await signup(t.app, { organization: 'Tenant A' });
  b = await signup(t.app, { organization: 'Tenant B' });
  both = await signup(t.app, { organization: 'Tenant C' });
  await addMember(t.db.adminUrl, a.tenantId, both.userId, 'auditor');
  await addMember(t.db.adminUrl, b.tenantId, both.userId, 'admin');
  taskA = await createTask(t, a.tenantId, a.userId);
  taskB = await createTask(t, b.tenantId, b.userId);
  evidenceA = (
    await upload(call, a.accessToken, a.tenantId, taskA, { filename: 'a-secret.pdf', content: SAMPLES.pdf }, 'A only')
  ).json<EvidenceView>();
});
afterAll(async () => t.close());

async function expectNothingWritten(filesBefore: string[], rowsBefore: number): Promise<void> {
  expect(storedFiles(t)).toEqual(filesBefore);
  expect(await evidenceRows(t)).toHaveLength(rowsBefore);
  expect(await taskRow(t, taskA)).toEqual({ status: 'in_progress', evidence_count: 1 });
  expect(await taskRow(t, taskB)).toEqual({ status: 'todo', evidence_count: 0 });
}

describe.each([
  ['B’s admin', () => b],
  ['a member of both tenants, acting in B', () => both],
])('%s', (_name, actor) => {
  it('cannot add any kind of evidence to A’s task through B: 404 TASK_NOT_FOUND, nothing written', async () => {
    const filesBefore = storedFiles(t);
    const rowsBefore = (await evidenceRows(t)).length;
    const url = `/api/v1/tenants/${b.tenantId}/tasks/${taskA}/evidence`;
    const file = await call({
      method: 'POST',
      url,
      token: actor().accessToken,
      headers: multipartHeaders(),
      payload: multipartBody([{ name: 'file', filename: 'x.pdf', content: SAMPLES.pdf }]),
    });
    const link = await call({ method: 'POST', url, token: actor().accessToken, payload: { kind: 'link', url: 'https://example.com/' } });
    const note = await call({ method: 'POST', url, token: actor().accessToken, payload: { kind: 'note', text: 'planted' } });
    for (const res of [file, link, note]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('TASK_NOT_FOUND');
    }
    await expectNothingWritten(filesBefore, rowsBefore);
  });

  it('cannot read A’s evidence or its file through B: 404 EVIDENCE_NOT_FOUND', async () => {
    for (const url of [
      `/api/v1/tenants/${b.tenantId}/evidence/${evidenceA.id}`,
      `/api/v1/tenants/${b.tenantId}/evidence/${evidenceA.id}/content`,
    ]) {
      const res = await call({ method: 'GET', url, token: actor().accessToken });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('EVIDENCE_NOT_FOUND');
      expect(res.body).not.toContain('A only');
      expect(res.body).not.toContain('%PDF');
    }
  });
});

it('B cannot use A’s tenant id at all: 404 TENANT_NOT_FOUND, nothing written', async () => {
  const filesBefore = storedFiles(t);
  const rowsBefore = (await evidenceRows(t)).length;
  const res = await upload(call, b.accessToken, a.tenantId, taskA, { filename: 'x.pdf', content: SAMPLES.pdf });
  expect(res.statusCode).toBe(404);
  expect(res.json().code).toBe('TENANT_NOT_FOUND');
  for (const url of [
    `/api/v1/tenants/${a.tenantId}/evidence/${evidenceA.id}`,
    `/api/v1/tenants/${a.tenantId}/evidence/${evidenceA.id}/content`,
  ]) {
    const get = await call({ method: 'GET', url, token: b.accessToken });
    expect(get.statusCode).toBe(404);
    expect(get.json().code).toBe('TENANT_NOT_FOUND');
  }
  await expectNothingWritten(filesBefore, rowsBefore);
});

it.each([
  ['a task that does not exist', '00000000-0000-4000-8000-000000000000', 'TASK_NOT_FOUND'],
  ['a malformed task id', 'not-a-uuid', 'TASK_NOT_FOUND'],
])('answers 404 for %s', async (_name, id, code) => {
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${b.tenantId}/tasks/${id}/evidence`,
    token: b.accessToken,
    payload: { kind: 'note', text: 'x' },
  });
  expect(res.statusCode).toBe(404);
  expect(res.json().code).toBe(code);
});

it.each([
  ['evidence that does not exist', '00000000-0000-4000-8000-000000000000'],
  ['a malformed evidence id', 'not-a-uuid'],
])('answers 404 EVIDENCE_NOT_FOUND for %s', async (_name, id) => {
  for (const suffix of ['', '/content']) {
    const res = await call({ method: 'GET', url: `/api/v1/tenants/${b.tenantId}/evidence/${id}${suffix}`, token: b.accessToken });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('EVIDENCE_NOT_FOUND');
  }
});

describe('underneath the API', () => {
  async function asApp<T>(tenantId: string, fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)", [tenantId, b.userId]);
      return await fn(client);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  }

  it('row-level security hides A’s evidence from B’s scope and from no scope', async () => {
    expect((await asApp(b.tenantId, (c) => c.query('SELECT id FROM evidence WHERE id = $1', [evidenceA.id]))).rows).toEqual([]);
    expect((await asApp('', (c) => c.query('SELECT id FROM evidence'))).rows).toEqual([]);
    expect((await asApp(a.tenantId, (c) => c.query('SELECT id FROM evidence WHERE id = $1', [evidenceA.id]))).rows).toEqual([
      { id: evidenceA.id },
    ]);
  });

  it('B’s scope can neither write a row into A nor point its own row at A’s task', async () => {
    const intoA = await asApp(b.tenantId, (c) =>
      c.query("INSERT INTO evidence (tenant_id, task_id, kind, text, submitted_by) VALUES ($1, $2, 'note', 'x', $3)", [
        a.tenantId,
        taskA,
        b.userId,
      ]),
    ).catch((e: unknown) => e);
    expect(String(intoA)).toMatch(/row-level security/);
    const atA = await asApp(b.tenantId, (c) =>
      c.query("INSERT INTO evidence (tenant_id, task_id, kind, text, submitted_by) VALUES ($1, $2, 'note', 'x', $3)", [
        b.tenantId,
        taskA,
        b.userId,
      ]),
    ).catch((e: unknown) => e);
    expect(String(atA)).toMatch(/evidence_task_fk/);
    expect(await query(t.db.adminUrl, "SELECT id FROM evidence WHERE text = 'x'")).toEqual([]);
  });
});
