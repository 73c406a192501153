import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { AuditService } from '../../libs/audit';
import { bootTestApp, type TestApp } from '../harness/app';
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { taskTenant, type TaskTenant } from '../tasks/setup';
import { upload } from '../evidence/setup';
import { until } from '../harness/until';

// Issue 10: an admin renames and deletes the tenant, and edits membership expiries.
let t: TestApp;
let call: Caller;
beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '1000/1h' }, undefined, { withWorker: true });
  call = caller(t.app);
});
afterAll(async () => {
  await t.close();
});

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

async function roles(): Promise<{ admin: Account; member: Account; auditor: Account; viewer: Account; other: Account }> {
  const admin = await signup(t.app, { organization: 'Rename Me' });
  const [member, auditor, viewer] = [await signup(t.app), await signup(t.app), await signup(t.app)];
  await addMember(t.db.adminUrl, admin.tenantId, member.userId, 'member');
  await addMember(t.db.adminUrl, admin.tenantId, auditor.userId, 'auditor');
  await addMember(t.db.adminUrl, admin.tenantId, viewer.userId, 'viewer');
  return { admin, member, auditor, viewer, other: await signup(t.app, { organization: 'Other Org' }) };
}

const tenantName = async (tenantId: string): Promise<string | undefined> =>
  (await query<{ name: string }>(t.db.adminUrl, 'SELECT name FROM tenant WHERE id = $1', [tenantId]))[0]?.name;

describe('PATCH /tenants/:tenantId (rename)', () => {
  it('renames (trimmed), records tenant.renamed, shows the new name in /me', async () => {
    const { admin } = await roles();
    const res = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${admin.tenantId}`,
      token: admin.accessToken,
      payload: { name: '  Acme Renamed ' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: admin.tenantId, name: 'Acme Renamed', role: 'admin' });
    const me = await call({ method: 'GET', url: '/api/v1/me', token: admin.accessToken });
    expect(me.json<{ memberships: { tenantName: string }[] }>().memberships[0]?.tenantName).toBe('Acme Renamed');
    const [event] = await query<{ action: string; data: unknown }>(
      t.db.adminUrl,
      "SELECT action, data FROM audit_event WHERE tenant_id = $1 AND action = 'tenant.renamed'",
      [admin.tenantId],
    );
    expect(event?.data).toEqual({ from: 'Rename Me', to: 'Acme Renamed' });
  });

  it('roles: only admins (403 FORBIDDEN); another tenant 404; bad names 400 VALIDATION_FAILED', async () => {
    const { admin, member, auditor, viewer, other } = await roles();
    for (const who of [member, auditor, viewer]) {
      const res = await call({ method: 'PATCH', url: `/api/v1/tenants/${admin.tenantId}`, token: who.accessToken, payload: { name: 'X' } });
      expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([403, 'FORBIDDEN']);
    }
    const theirs = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${other.tenantId}`,
      token: admin.accessToken,
      payload: { name: 'Mine now' },
    });
    expect([theirs.statusCode, theirs.json<{ code: string }>().code]).toEqual([404, 'TENANT_NOT_FOUND']);
    expect(await tenantName(other.tenantId)).toBe('Other Org');
    for (const payload of [
      {},
      { name: '' },
      { name: '   ' },
      { name: 42 },
      { name: null },
      { name: 'x'.repeat(201) },
      { name: 'ok', extra: 1 },
    ]) {
      const res = await call({ method: 'PATCH', url: `/api/v1/tenants/${admin.tenantId}`, token: admin.accessToken, payload });
      expect([JSON.stringify(payload).slice(0, 40), res.statusCode, res.json<{ code: string }>().code]).toEqual([
        JSON.stringify(payload).slice(0, 40),
        400,
        'VALIDATION_FAILED',
      ]);
    }
    expect(await tenantName(admin.tenantId)).toBe('Rename Me');
  });
});

describe('PATCH /tenants/:tenantId/members/:userId (expiry)', () => {
  it('sets a future expiry, clears it with null, refuses a past one with 400 EXPIRY_NOT_IN_FUTURE', async () => {
    const { admin, member } = await roles();
    const url = `/api/v1/tenants/${admin.tenantId}/members/${member.userId}`;
    const future = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const set = await call({ method: 'PATCH', url, token: admin.accessToken, payload: { expiresAt: future } });
    expect([set.statusCode, set.json<{ expiresAt: string }>().expiresAt]).toEqual([200, future]);
    const past = await call({ method: 'PATCH', url, token: admin.accessToken, payload: { expiresAt: '2020-01-01T00:00:00Z' } });
    expect([past.statusCode, past.json<{ code: string }>().code]).toEqual([400, 'EXPIRY_NOT_IN_FUTURE']);
    const cleared = await call({ method: 'PATCH', url, token: admin.accessToken, payload: { expiresAt: null } });
    expect([cleared.statusCode, cleared.json<{ expiresAt: string | null }>().expiresAt]).toEqual([200, null]);
    const bad = await call({ method: 'PATCH', url, token: admin.accessToken, payload: { expiresAt: 'soon' } });
    expect([bad.statusCode, bad.json<{ code: string }>().code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('an invitation with a past membership expiry is refused too', async () => {
    const { admin } = await roles();
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/invitations`,
      token: admin.accessToken,
      payload: { email: 'late@example.test', role: 'auditor', expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([400, 'EXPIRY_NOT_IN_FUTURE']);
  });
});

describe('DELETE /tenants/:tenantId', () => {
  let tenant: TaskTenant;
  let other: Account;
  let storageKeys: string[];
  const evidenceDir = (): string => {
    const storage = t.config.evidence.storage;
    if (storage.kind !== 'fs') throw new Error('fs storage expected');
    return storage.dir;
  };

  beforeAll(async () => {
    tenant = await taskTenant(t);
    const taskIds = Object.values(tenant.tasks).slice(0, 2);
    for (const taskId of taskIds) {
      const res = await upload(call, tenant.member.accessToken, tenant.admin.tenantId, taskId, { filename: 'proof.pdf', content: PDF });
      expect(res.statusCode).toBe(201);
    }
    storageKeys = (
      await query<{ storage_key: string }>(t.db.adminUrl, 'SELECT storage_key FROM evidence WHERE tenant_id = $1', [tenant.admin.tenantId])
    ).map((r) => r.storage_key);
    expect(storageKeys).toHaveLength(2);
    for (const key of storageKeys) expect(fs.existsSync(path.join(evidenceDir(), ...key.split('/')))).toBe(true);
    // The bystander's own file must survive.
    const bystander = await taskTenant(t);
    other = bystander.admin;
    const own = await upload(call, bystander.member.accessToken, other.tenantId, Object.values(bystander.tasks)[0]!, {
      filename: 'keep.pdf',
      content: PDF,
    });
    expect(own.statusCode).toBe(201);
  });

  const del = (as: Account, tenantId: string, payload: unknown) =>
    call({ method: 'DELETE', url: `/api/v1/tenants/${tenantId}`, token: as.accessToken, payload: payload as Record<string, unknown> });

  it('refuses other roles (403), another tenant (404), a wrong or missing confirmation (400), changing nothing', async () => {
    const { admin, member, auditor, viewer } = tenant;
    const name = (await tenantName(admin.tenantId))!;
    for (const who of [member, auditor, viewer]) {
      const res = await del(who, admin.tenantId, { confirmName: name });
      expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([403, 'FORBIDDEN']);
    }
    const theirs = await del(admin, other.tenantId, { confirmName: await tenantName(other.tenantId) });
    expect([theirs.statusCode, theirs.json<{ code: string }>().code]).toEqual([404, 'TENANT_NOT_FOUND']);
    const mismatch = await del(admin, admin.tenantId, { confirmName: name.toUpperCase() + ' ' });
    expect([mismatch.statusCode, mismatch.json<{ code: string }>().code]).toEqual([400, 'TENANT_CONFIRMATION_MISMATCH']);
    for (const payload of [
      {},
      { confirmName: '' },
      { confirmName: 7 },
      { confirmName: 'x'.repeat(201) },
      { confirmName: name, force: true },
    ]) {
      const res = await del(admin, admin.tenantId, payload);
      expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const [row] = await query<{ deleted_at: Date | null; tasks: string }>(
      t.db.adminUrl,
      'SELECT deleted_at, (SELECT count(*) FROM task WHERE tenant_id = $1) AS tasks FROM tenant WHERE id = $1',
      [admin.tenantId],
    );
    expect(row?.deleted_at).toBeNull();
    expect(Number(row?.tasks)).toBeGreaterThan(0);
  });

  it('deletes access, tasks, evidence rows and files; keeps a verifying audit chain until its retention date', async () => {
    const { admin, member, auditor } = tenant;
    const tenantId = admin.tenantId;
    const name = (await tenantName(tenantId))!;
    const res = await del(admin, tenantId, { confirmName: name });
    expect(res.statusCode).toBe(204);

    // Nobody gets in any more: the same answer as a tenant that never existed.
    for (const who of [admin, member, auditor]) {
      const get = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}/tasks`, token: who.accessToken });
      expect([get.statusCode, get.json<{ code: string }>().code]).toEqual([404, 'TENANT_NOT_FOUND']);
      const mine = await call({ method: 'GET', url: '/api/v1/tenants', token: who.accessToken });
      expect(mine.json<{ items: { tenantId: string }[] }>().items.map((i) => i.tenantId)).not.toContain(tenantId);
    }
    const again = await del(admin, tenantId, { confirmName: name });
    expect(again.statusCode).toBe(404);

    const counts = await query<Record<string, string>>(
      t.db.adminUrl,
      `SELECT (SELECT count(*) FROM task WHERE tenant_id = $1) AS task, (SELECT count(*) FROM evidence WHERE tenant_id = $1) AS evidence,
              (SELECT count(*) FROM subscription WHERE tenant_id = $1) AS subscription, (SELECT count(*) FROM review WHERE tenant_id = $1) AS review,
              (SELECT count(*) FROM membership WHERE tenant_id = $1) AS membership, (SELECT count(*) FROM invitation WHERE tenant_id = $1) AS invitation,
              (SELECT count(*) FROM occurrence_schedule WHERE tenant_id = $1) AS schedule, (SELECT count(*) FROM audit_event WHERE tenant_id = $1) AS audit`,
      [tenantId],
    );
    expect(counts[0]).toMatchObject({
      task: '0',
      evidence: '0',
      subscription: '0',
      review: '0',
      membership: '0',
      invitation: '0',
      schedule: '0',
    });
    expect(Number(counts[0]?.audit)).toBeGreaterThan(3);
    const [tomb] = await query<{ deleted_at: Date; deleted_by: string; audit_retained_until: Date }>(
      t.db.adminUrl,
      'SELECT deleted_at, deleted_by, audit_retained_until FROM tenant WHERE id = $1',
      [tenantId],
    );
    expect(tomb?.deleted_by).toBe(admin.userId);
    const retainedDays = (tomb!.audit_retained_until.getTime() - tomb!.deleted_at.getTime()) / 86_400_000;
    expect(Math.round(retainedDays)).toBe(t.config.auditRetentionDays);

    // The files go after commit, by the worker's job; the bystander's stay.
    await until('the tenant folder to be gone', () =>
      Promise.resolve(fs.existsSync(path.join(evidenceDir(), tenantId)) ? undefined : true),
    );
    for (const key of storageKeys) expect(fs.existsSync(path.join(evidenceDir(), ...key.split('/')))).toBe(false);
    expect(fs.readdirSync(path.join(evidenceDir(), other.tenantId))).toHaveLength(1);
    // The job is recorded completed after its handler returns: a moment after the files go.
    const job = await until('the purge job to settle', async () => {
      const [row] = await query<{ state: string }>(
        t.db.adminUrl,
        "SELECT state FROM pgboss.job WHERE name = 'evidence-files-purge' AND data->>'tenantId' = $1",
        [tenantId],
      );
      return row && row.state !== 'active' && row.state !== 'created' ? row : undefined;
    });
    expect(job.state).toBe('completed');

    // The chain, with tenant.deleted at its head, still verifies.
    const verification = await t.app
      .get(AuditService)
      .verify({ tenantId, userId: admin.userId, role: 'admin', requestId: 'test-verify', ip: '127.0.0.1' });
    expect(verification).toMatchObject({ valid: true });
    const [head] = await query<{ action: string; data: { name: string; removed: Record<string, number> } }>(
      t.db.adminUrl,
      'SELECT action, data FROM audit_event WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1',
      [tenantId],
    );
    expect(head?.action).toBe('tenant.deleted');
    expect(head?.data.name).toBe(name);
    expect(head?.data.removed).toMatchObject({ evidence: 2, memberships: 4 });
    expect(head?.data.removed.tasks).toBeGreaterThan(0);
  });

  it('the purge functions refuse a tenant that is not deleted, or not the transaction’s own', async () => {
    const live = await roles();
    const client = new Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      for (const fn of ['evidence_purge_tenant', 'tasks_purge_tenant', 'exports_purge_tenant', 'reminders_purge_tenant']) {
        await client.query('BEGIN');
        await client.query("SELECT set_config('app.tenant_id', $1, true)", [live.admin.tenantId]);
        await expect(client.query(`SELECT ${fn}($1)`, [live.admin.tenantId])).rejects.toThrow(/not the scope's deleted tenant/);
        await client.query('ROLLBACK');
      }
      // The app role cannot delete evidence by itself.
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.tenant_id', $1, true)", [live.admin.tenantId]);
      await expect(client.query('DELETE FROM evidence')).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });
});
