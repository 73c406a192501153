import fs from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../harness/app';
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';

export { createTask, taskRow, type TaskRow, type TaskStatus } from '../factories/tasks';

export interface EvidenceDbRow {
  id: string;
  tenant_id: string;
  task_id: string;
  kind: string;
  storage_key: string | null;
  sha256: string | null;
  size: string | null;
  media_type: string | null;
  file_name: string | null;
}

export async function evidenceRows(t: TestApp, where: { taskId?: string; tenantId?: string } = {}): Promise<EvidenceDbRow[]> {
  const conditions: string[] = [];
  const params: string[] = [];
  if (where.taskId) conditions.push(`task_id = $${params.push(where.taskId)}`);
  if (where.tenantId) conditions.push(`tenant_id = $${params.push(where.tenantId)}`);
  return query<EvidenceDbRow>(
    t.db.adminUrl,
    `SELECT * FROM evidence ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY submitted_at, id`,
    params,
  );
}

/** Every file under the app's evidence folder (relative paths), partial ones included. */
export function storedFiles(t: TestApp): string[] {
  const storage = t.config.evidence.storage;
  if (storage.kind !== 'fs' || !fs.existsSync(storage.dir)) return [];
  return fs
    .readdirSync(storage.dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => fs.statSync(path.join(storage.dir, p)).isFile())
    .sort();
}

export function storedPath(t: TestApp, storageKey: string): string {
  const storage = t.config.evidence.storage;
  if (storage.kind !== 'fs') throw new Error('not a filesystem storage');
  return path.join(storage.dir, ...storageKey.split('/'));
}

/** An account per role in one tenant, and an outsider with a tenant of its own. */
export interface EvidenceTenant {
  admin: Account;
  member: Account;
  auditor: Account;
  viewer: Account;
  outsider: Account;
}

export async function evidenceTenant(t: TestApp): Promise<EvidenceTenant> {
  const admin = await signup(t.app, { organization: 'Evidence Org' });
  const [member, auditor, viewer, outsider] = [
    await signup(t.app),
    await signup(t.app),
    await signup(t.app),
    await signup(t.app, { organization: 'Other Org' }),
  ];
  await addMember(t.db.adminUrl, admin.tenantId, member.userId, 'member');
  await addMember(t.db.adminUrl, admin.tenantId, auditor.userId, 'auditor');
  await addMember(t.db.adminUrl, admin.tenantId, viewer.userId, 'viewer');
  return { admin, member, auditor, viewer, outsider };
}

/** One part of a multipart body. */
export type FormPart =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly filename: string; readonly content: Buffer | string; readonly contentType?: string };

export const BOUNDARY = '----dutybook-test-boundary-7MA4YWxkTrZu0gW';

/** A multipart/form-data body built by hand, so tests control every byte of it. */
export function multipartBody(parts: readonly FormPart[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('filename' in part) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`,
          'utf8',
        ),
      );
      chunks.push(Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content, 'utf8'));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}`, 'utf8'));
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export const multipartHeaders = (boundary = BOUNDARY): Record<string, string> => ({
  'content-type': `multipart/form-data; boundary=${boundary}`,
});

/** POST a multipart upload of one file (and an optional description) to a task. */
export function upload(
  call: Caller,
  token: string | undefined,
  tenantId: string,
  taskId: string,
  file: { filename: string; content: Buffer | string; contentType?: string },
  description?: string,
): Promise<LightMyRequestResponse> {
  const parts: FormPart[] = [{ name: 'file', ...file }];
  if (description !== undefined) parts.push({ name: 'description', value: description });
  return call({
    method: 'POST',
    url: `/api/v1/tenants/${tenantId}/tasks/${taskId}/evidence`,
    token,
    headers: multipartHeaders(),
    payload: multipartBody(parts),
  });
}

export { caller };
