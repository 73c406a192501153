/**
 * Evidence packs on S3-compatible storage (EVIDENCE_STORAGE=s3, a real s3rver in the test process):
 * the worker reads the evidence objects and writes the pack as an object beside them; the download
 * (whole and ranged) comes from the bucket; a missing evidence object fails the pack and leaves no
 * pack object.
 */
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { checkZip, python } from '../harness/external-tools';
import type { TestApp } from '../harness/app';
import { createTask, upload } from '../evidence/setup';
import { startS3, type TestS3 } from '../evidence/s3-server';
import { query } from '../harness/database';
import { bootWithWorker, bytesOf, sha256, tempFile, until } from './setup';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let s3: TestS3;
let t: TestApp;
let call: Caller;
let admin: Account;
const CONTENT = 'line of a log kept on S3\n'.repeat(20_000);

beforeAll(async () => {
  s3 = await startS3();
  t = await bootWithWorker(s3.env);
  call = caller(t.app);
  admin = await signup(t.app, { organization: 'S3 Org' });
  const member = await signup(t.app);
  await addMember(t.db.adminUrl, admin.tenantId, member.userId, 'member');
  const task = await createTask(t, admin.tenantId, admin.userId, { activityKey: 'PX-13' });
  expect((await upload(call, member.accessToken, admin.tenantId, task, { filename: 'log.txt', content: CONTENT })).statusCode).toBe(201);
}, 60_000);
afterAll(async () => {
  await t.close();
  await s3.close();
});

async function build(): Promise<{ id: string; state: string; error: string | null; size: number }> {
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/evidence-packs`,
    token: admin.accessToken,
    payload: {},
  });
  expect(res.statusCode).toBe(202);
  const id = res.json<{ id: string }>().id;
  return until('the pack', async () => {
    const view = (
      await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/evidence-packs/${id}`, token: admin.accessToken })
    ).json<{ id: string; state: string; error: string | null; size: number }>();
    return view.state === 'ready' || view.state === 'failed' ? view : undefined;
  });
}

it('builds the pack from and into the bucket; the download opens in the three tools, ranges included', async () => {
  const pack = await build();
  expect(pack.state).toBe('ready');
  expect(await s3.keys(`${admin.tenantId}/${pack.id}`)).toEqual([`${admin.tenantId}/${pack.id}`]);
  const url = `/api/v1/tenants/${admin.tenantId}/evidence-packs/${pack.id}/content`;
  const res = await call({ method: 'GET', url, token: admin.accessToken });
  expect(res.statusCode).toBe(200);
  const file = tempFile('pack.zip', bytesOf(res));
  const names = await checkZip(file);
  const log = names.find((n) => n.endsWith('/log.txt'));
  expect(log).toBeDefined();
  const bytes = Buffer.from(
    await python('import sys,zipfile\nsys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).hex())', [file, log ?? '']),
    'hex',
  );
  expect(sha256(bytes)).toBe(sha256(CONTENT));
  const part = await call({ method: 'GET', url, token: admin.accessToken, headers: { range: 'bytes=10-99' } });
  expect(part.statusCode).toBe(206);
  expect(bytesOf(part).equals(bytesOf(res).subarray(10, 100))).toBe(true);
});

it('fails with a clear state and leaves no pack object when an evidence object is gone', async () => {
  const [row] = await query<{ storage_key: string }>(
    t.db.adminUrl,
    "SELECT storage_key FROM evidence WHERE tenant_id = $1 AND kind = 'file'",
    [admin.tenantId],
  );
  const saved = await s3.get(row?.storage_key ?? '');
  await s3.remove(row?.storage_key ?? '');
  try {
    const pack = await build();
    expect(pack.state).toBe('failed');
    expect(pack.error).toMatch(/evidence storage/);
    expect(await s3.keys(`${admin.tenantId}/${pack.id}`)).toEqual([]);
  } finally {
    await s3.put(row?.storage_key ?? '', saved);
  }
});
