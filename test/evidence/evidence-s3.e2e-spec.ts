/**
 * Evidence on S3-compatible storage (EVIDENCE_STORAGE=s3) against a real S3 server (s3rver) in
 * the test process: uploads (multipart for large files), checked downloads, nothing left behind on
 * refusals and database failures, 503 when the store is down.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import type { EvidenceView } from '../../libs/evidence';
import { caller, signup, type Account, type Caller } from '../harness/api';
import { bootTestApp, type TestApp } from '../harness/app';
import { query } from '../harness/database';
import { SAMPLES } from './files';
import { startS3, type TestS3 } from './s3-server';
import { createTask, evidenceRows, taskRow, upload } from './setup';

// The AWS SDK warns once per process that its releases from 2027 need Node 22 (docs/evidence.md).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const MAX = 24 * 1024 * 1024;

let s3: TestS3;
let t: TestApp;
let call: Caller;
let admin: Account;

beforeAll(async () => {
  s3 = await startS3();
  t = await bootTestApp({ ...s3.env, EVIDENCE_MAX_BYTES: String(MAX) });
  call = caller(t.app);
  admin = await signup(t.app);
});
afterAll(async () => {
  await t.close();
  await s3.close();
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const download = (id: string) =>
  call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/evidence/${id}/content`, token: admin.accessToken });
const keyOf = (id: string): string => `${admin.tenantId}/${id}`;

it('stores the file as an object under the generated key, nothing on the local disk', async () => {
  const taskId = await createTask(t, admin.tenantId, admin.userId);
  const res = await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'restore.pdf', content: SAMPLES.pdf }, 'on S3');
  expect(res.statusCode).toBe(201);
  const view = res.json<EvidenceView>();
  expect(view).toEqual(
    expect.objectContaining({ mediaType: 'application/pdf', size: SAMPLES.pdf.length, sha256: sha256(SAMPLES.pdf), description: 'on S3' }),
  );
  expect(await s3.keys(admin.tenantId)).toContain(keyOf(view.id));
  expect((await s3.get(keyOf(view.id))).equals(SAMPLES.pdf)).toBe(true);
  expect(fs.existsSync(path.join(t.config.dataDir, 'evidence'))).toBe(false);
  expect(await taskRow(t, taskId)).toEqual({ status: 'in_progress', evidence_count: 1 });
  const got = await download(view.id);
  expect(got.statusCode).toBe(200);
  expect(got.rawPayload.equals(SAMPLES.pdf)).toBe(true);
  expect(got.headers['content-disposition']).toBe(`attachment; filename="restore.pdf"; filename*=UTF-8''restore.pdf`);
});

it('streams a large file up as a multipart upload and back through the checked two-pass download', async () => {
  const taskId = await createTask(t, admin.tenantId, admin.userId);
  const big = Buffer.concat([SAMPLES.pdf, randomBytes(18 * 1024 * 1024)]);
  const res = await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'big.pdf', content: big });
  expect(res.statusCode).toBe(201);
  const id = res.json<EvidenceView>().id;
  expect(sha256(await s3.get(keyOf(id)))).toBe(sha256(big));
  const got = await download(id);
  expect(got.statusCode).toBe(200);
  expect(got.rawPayload.length).toBe(big.length);
  expect(sha256(got.rawPayload)).toBe(sha256(big));
});

it('leaves no object behind when a file is refused (too large, wrong type, empty)', async () => {
  const taskId = await createTask(t, admin.tenantId, admin.userId);
  const before = await s3.keys();
  const tooLarge = await upload(call, admin.accessToken, admin.tenantId, taskId, {
    filename: 'huge.pdf',
    content: Buffer.concat([SAMPLES.pdf, Buffer.alloc(MAX)]),
  });
  expect(tooLarge.statusCode).toBe(413);
  const exe = await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.exe });
  expect(exe.statusCode).toBe(415);
  const empty = await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'a.pdf', content: Buffer.alloc(0) });
  expect(empty.statusCode).toBe(400);
  expect(await s3.keys()).toEqual(before);
  expect(await evidenceRows(t, { taskId })).toEqual([]);
});

it('removes the object again when the database fails after the upload', async () => {
  const taskId = await createTask(t, admin.tenantId, admin.userId);
  const before = await s3.keys();
  await query(
    t.db.adminUrl,
    "CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION 'injected'; END $f$",
  );
  await query(t.db.adminUrl, 'CREATE TRIGGER inject_fault BEFORE INSERT ON evidence FOR EACH ROW EXECUTE FUNCTION inject_fault()');
  try {
    const res = await upload(call, admin.accessToken, admin.tenantId, taskId, {
      filename: 'a.pdf',
      content: Buffer.concat([SAMPLES.pdf, randomBytes(9 * 1024 * 1024)]),
    });
    expect(res.statusCode).toBe(500);
  } finally {
    await query(t.db.adminUrl, 'DROP TRIGGER inject_fault ON evidence');
    await query(t.db.adminUrl, 'DROP FUNCTION inject_fault()');
  }
  expect(await s3.keys()).toEqual(before);
  expect(await evidenceRows(t, { taskId })).toEqual([]);
  expect(await taskRow(t, taskId)).toEqual({ status: 'todo', evidence_count: 0 });
});

describe('a stored object that changed', () => {
  let errors: jest.SpyInstance;
  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error');
  });
  afterEach(() => errors.mockRestore());

  it.each([
    [
      'replaced by other bytes of the same size',
      'sha256',
      (key: string) => s3.put(key, Buffer.from(SAMPLES.pdf.toString('latin1').replace('Catalog', 'Catalox'), 'latin1')),
    ],
    ['truncated', 'size', (key: string) => s3.put(key, SAMPLES.pdf.subarray(0, 10))],
    ['deleted', 'missing', (key: string) => s3.remove(key)],
  ] as const)('%s: 500 EVIDENCE_CORRUPT, logged', async (_name, reason, change) => {
    const taskId = await createTask(t, admin.tenantId, admin.userId);
    const id = (
      await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf })
    ).json<EvidenceView>().id;
    await change(keyOf(id));
    const got = await download(id);
    expect(got.statusCode).toBe(500);
    expect(got.json().code).toBe('EVIDENCE_CORRUPT');
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({ msg: expect.stringContaining('EVIDENCE_CORRUPT'), evidenceId: id, reason, storage: 's3' }),
    );
  });
});

it('answers 503 EVIDENCE_STORAGE_UNAVAILABLE when the store is down, recording nothing', async () => {
  const taskId = await createTask(t, admin.tenantId, admin.userId);
  const stored = (
    await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf })
  ).json<EvidenceView>();
  const other = await createTask(t, admin.tenantId, admin.userId);
  await s3.stop();
  const res = await upload(call, admin.accessToken, admin.tenantId, other, { filename: 'a.pdf', content: SAMPLES.pdf });
  expect(res.statusCode).toBe(503);
  expect(res.json().code).toBe('EVIDENCE_STORAGE_UNAVAILABLE');
  expect(await evidenceRows(t, { taskId: other })).toEqual([]);
  expect(await taskRow(t, other)).toEqual({ status: 'todo', evidence_count: 0 });
  const got = await download(stored.id);
  expect(got.statusCode).toBe(503);
  expect(got.json().code).toBe('EVIDENCE_STORAGE_UNAVAILABLE');
  // Metadata does not need the store.
  expect(
    (await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/evidence/${stored.id}`, token: admin.accessToken })).statusCode,
  ).toBe(200);
});
