/**
 * A deleted tenant's files on S3-compatible storage (docs/tenancy-admin.md): the worker's job
 * lists the tenant's prefix and removes every object, idempotently, and nothing of another tenant.
 */
import { randomUUID } from 'node:crypto';
import { S3EvidenceStorage } from '../../libs/evidence';
import { startS3, type TestS3 } from './s3-server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let s3: TestS3;
let storage: S3EvidenceStorage;
beforeAll(async () => {
  s3 = await startS3();
  storage = new S3EvidenceStorage({
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  });
});
afterAll(async () => {
  storage.destroy();
  await s3.close();
});

it('removes every object under <tenantId>/, then answers 0; another tenant keeps its objects', async () => {
  const [a, b] = [randomUUID(), randomUUID()];
  for (let i = 0; i < 5; i++) await s3.put(`${a}/${randomUUID()}`, Buffer.from(`file ${i}`));
  await s3.put(`${b}/${randomUUID()}`, Buffer.from('keep'));
  expect(await s3.keys(`${a}/`)).toHaveLength(5);
  expect(await storage.deleteTenant(a)).toBe(5);
  expect(await s3.keys(`${a}/`)).toEqual([]);
  expect(await storage.deleteTenant(a)).toBe(0);
  expect(await s3.keys(`${b}/`)).toHaveLength(1);
  await expect(storage.deleteTenant(`${a}/..`)).rejects.toThrow('refusing tenant prefix');
});
