import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import type { TestApp } from '../harness/app';
import { createTask, multipartBody, multipartHeaders } from '../evidence/setup';
import { bootWithWorker, until } from './setup';

type Who = 'admin' | 'member' | 'auditor' | 'viewer' | 'outsider';
const ROLES: Who[] = ['admin', 'member', 'auditor', 'viewer', 'outsider'];

let t: TestApp;
let call: Caller;
let accounts: Record<Who, Account>;
let tenantId: string;
let packId: string;

beforeAll(async () => {
  t = await bootWithWorker();
  call = caller(t.app);
  const admin = await signup(t.app, { organization: 'Role Matrix Org' });
  accounts = {
    admin,
    member: await signup(t.app),
    auditor: await signup(t.app),
    viewer: await signup(t.app),
    outsider: await signup(t.app, { organization: 'Elsewhere' }),
  };
  tenantId = admin.tenantId;
  for (const role of ['member', 'auditor', 'viewer'] as const) await addMember(t.db.adminUrl, tenantId, accounts[role].userId, role);
  await createTask(t, tenantId, admin.userId, { activityKey: 'PX-11' });
  const res = await call({ method: 'POST', url: `/api/v1/tenants/${tenantId}/evidence-packs`, token: admin.accessToken, payload: {} });
  packId = res.json<{ id: string }>().id;
  await until('the pack', async () => {
    const r = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}/evidence-packs/${packId}`, token: admin.accessToken });
    return r.json<{ state: string }>().state === 'ready' ? true : undefined;
  });
}, 60_000);

afterAll(async () => {
  await t.close();
});

/** Allowed roles get `ok`; the others 403 FORBIDDEN; a non-member 404 (the tenant does not exist for them). */
const cases: {
  name: string;
  allowed: Who[];
  ok: number[];
  request: () => { method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: unknown; headers?: Record<string, string> };
}[] = [
  {
    name: 'request a pack',
    allowed: ['admin', 'auditor'],
    ok: [202],
    request: () => ({ method: 'POST', url: 'evidence-packs', payload: { phase: 'operations' } }),
  },
  { name: 'list packs', allowed: ['admin', 'auditor'], ok: [200], request: () => ({ method: 'GET', url: 'evidence-packs' }) },
  { name: 'read a pack', allowed: ['admin', 'auditor'], ok: [200], request: () => ({ method: 'GET', url: `evidence-packs/${packId}` }) },
  {
    name: 'download a pack',
    allowed: ['admin', 'auditor'],
    ok: [200],
    request: () => ({ method: 'GET', url: `evidence-packs/${packId}/content` }),
  },
  {
    name: 'verify a pack',
    allowed: ['admin', 'auditor'],
    ok: [422],
    request: () => ({
      method: 'POST',
      url: 'evidence-packs/verify',
      headers: multipartHeaders(),
      payload: multipartBody([{ name: 'file', filename: 'x.json', content: '{}' }]),
    }),
  },
  {
    name: 'status report',
    allowed: ['admin', 'member', 'auditor', 'viewer'],
    ok: [200],
    request: () => ({ method: 'GET', url: 'reports/status.pdf' }),
  },
  {
    name: 'tasks CSV',
    allowed: ['admin', 'member', 'auditor', 'viewer'],
    ok: [200],
    request: () => ({ method: 'GET', url: 'tasks/export.csv' }),
  },
  {
    name: 'tasks XLSX',
    allowed: ['admin', 'member', 'auditor', 'viewer'],
    ok: [200],
    request: () => ({ method: 'GET', url: 'tasks/export.xlsx' }),
  },
  { name: 'audit JSONL', allowed: ['admin', 'auditor'], ok: [200], request: () => ({ method: 'GET', url: 'audit-events/export.jsonl' }) },
  {
    name: 'own calendar feed',
    allowed: ['admin', 'member', 'auditor', 'viewer'],
    ok: [201],
    request: () => ({ method: 'POST', url: 'calendar-feeds', payload: {} }),
  },
  {
    name: 'tenant calendar feed',
    allowed: ['admin'],
    ok: [201],
    request: () => ({ method: 'POST', url: 'calendar-feeds', payload: { scope: 'tenant' } }),
  },
  {
    name: 'list own feeds',
    allowed: ['admin', 'member', 'auditor', 'viewer'],
    ok: [200],
    request: () => ({ method: 'GET', url: 'calendar-feeds' }),
  },
];

describe('exports role matrix', () => {
  for (const c of cases)
    it.each(ROLES)(`${c.name}: %s`, async (who) => {
      const r = c.request();
      const res = await call({
        ...r,
        url: `/api/v1/tenants/${tenantId}/${r.url}`,
        token: accounts[who].accessToken,
      } as Parameters<Caller>[0]);
      if (who === 'outsider') {
        expect(res.statusCode).toBe(404);
        expect(res.json<{ code: string }>().code).toBe('TENANT_NOT_FOUND');
      } else if (c.allowed.includes(who)) expect(c.ok).toContain(res.statusCode);
      else {
        expect(res.statusCode).toBe(403);
        expect(res.json<{ code: string }>().code).toBe('FORBIDDEN');
      }
    });

  it("a feed can be revoked by its owner and by an admin, not by another member; another tenant's admin gets 404", async () => {
    const create = async (who: Who): Promise<string> =>
      (
        await call({ method: 'POST', url: `/api/v1/tenants/${tenantId}/calendar-feeds`, token: accounts[who].accessToken, payload: {} })
      ).json<{ id: string }>().id;
    const del = (who: Who, id: string, tenant = tenantId): ReturnType<Caller> =>
      call({ method: 'DELETE', url: `/api/v1/tenants/${tenant}/calendar-feeds/${id}`, token: accounts[who].accessToken });
    const viewers = await create('viewer');
    expect((await del('member', viewers)).statusCode).toBe(404);
    expect((await del('outsider', viewers, accounts.outsider.tenantId)).statusCode).toBe(404);
    expect((await del('viewer', viewers)).statusCode).toBe(204);
    expect((await del('viewer', viewers)).statusCode).toBe(404);
    const members = await create('member');
    expect((await del('admin', members)).statusCode).toBe(204);
    expect((await del('admin', 'not-a-uuid')).statusCode).toBe(404);
  });
});
