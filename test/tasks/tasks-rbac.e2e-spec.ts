import { insertTask } from '../factories/tasks';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { giveEvidence, taskTenant, type TaskTenant } from './setup';

type Who = 'admin' | 'member' | 'auditor' | 'viewer' | 'outsider' | 'anonymous';

let t: TestApp;
let call: Caller;
let tt: TaskTenant;
let outsider: Account;
beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '10000/1h' });
  call = caller(t.app);
  tt = await taskTenant(t);
  outsider = await signup(t.app);
});
afterAll(async () => t.close());

const token = (who: Who): string | undefined =>
  who === 'anonymous' ? undefined : who === 'outsider' ? outsider.accessToken : tt[who].accessToken;

interface Case {
  name: string;
  /** Builds the request on fresh state, so destructive cases do not interfere. */
  request: () => Promise<{ method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: object }>;
  expected: Record<Who, number>;
}

const base = (): string => `/api/v1/tenants/${tt.admin.tenantId}`;
const freshDoneTask = (): Promise<string> =>
  insertTask(t.db.adminUrl, {
    tenantId: tt.admin.tenantId,
    subscriptionId: tt.subscriptionId,
    activityKey: 'PX-11',
    dueDate: '2030-12-31',
    status: 'done',
    evidenceCount: 1,
    completedBy: tt.member.userId,
  });
const freshTask = (): Promise<string> =>
  insertTask(t.db.adminUrl, {
    tenantId: tt.admin.tenantId,
    subscriptionId: tt.subscriptionId,
    activityKey: 'PX-32',
    dueDate: '2031-12-31',
  });

//                                                   admin member auditor viewer outsider anonymous
const row = (a: number, m: number, au: number, v: number): Record<Who, number> => ({
  admin: a,
  member: m,
  auditor: au,
  viewer: v,
  outsider: 404,
  anonymous: 401,
});

const CASES: Case[] = [
  {
    name: 'GET subscriptions',
    request: () => Promise.resolve({ method: 'GET', url: `${base()}/subscriptions` }),
    expected: row(200, 200, 200, 200),
  },
  {
    name: 'GET subscription',
    request: () => Promise.resolve({ method: 'GET', url: `${base()}/subscriptions/${tt.subscriptionId}` }),
    expected: row(200, 200, 200, 200),
  },
  {
    name: 'GET provider commitments',
    request: () => Promise.resolve({ method: 'GET', url: `${base()}/subscriptions/${tt.subscriptionId}/provider-commitments` }),
    expected: row(200, 200, 200, 200),
  },
  {
    name: 'POST subscription',
    request: () =>
      Promise.resolve({
        method: 'POST',
        url: `${base()}/subscriptions`,
        payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-01-01' },
      }),
    expected: row(409, 403, 403, 403),
  },
  {
    name: 'PATCH subscription phase',
    request: () =>
      Promise.resolve({ method: 'PATCH', url: `${base()}/subscriptions/${tt.subscriptionId}`, payload: { phase: 'operations' } }),
    expected: row(200, 403, 403, 403),
  },
  { name: 'GET tasks', request: () => Promise.resolve({ method: 'GET', url: `${base()}/tasks` }), expected: row(200, 200, 200, 200) },
  {
    name: 'GET task',
    request: () => Promise.resolve({ method: 'GET', url: `${base()}/tasks/${tt.tasks['PX-11']!}` }),
    expected: row(200, 200, 200, 200),
  },
  {
    name: 'PATCH task (due date)',
    request: async () => ({ method: 'PATCH', url: `${base()}/tasks/${await freshTask()}`, payload: { dueDate: '2032-01-01' } }),
    expected: row(200, 200, 403, 403),
  },
  {
    name: 'POST complete',
    request: async () => {
      const id = await freshTask();
      await giveEvidence(t, id);
      return { method: 'POST', url: `${base()}/tasks/${id}/complete`, payload: {} };
    },
    expected: row(200, 200, 403, 403),
  },
  {
    name: 'POST review',
    request: async () => ({ method: 'POST', url: `${base()}/tasks/${await freshDoneTask()}/reviews`, payload: { decision: 'approve' } }),
    expected: row(201, 403, 201, 403),
  },
  {
    name: 'POST occurrence',
    request: async () => ({
      method: 'POST',
      url: `${base()}/tasks/${await freshTask()}/occurrences`,
      payload: { occurredOn: '2031-02-01', description: 'incident' },
    }),
    expected: row(201, 201, 403, 403),
  },
];

describe('role matrix: subscriptions and tasks', () => {
  const whos: Who[] = ['admin', 'member', 'auditor', 'viewer', 'outsider', 'anonymous'];
  it.each(CASES.flatMap((c) => whos.map((who) => [c.name, who, c] as const)))('%s as %s', async (_name, who, c) => {
    const req = await c.request();
    const tok = token(who);
    const res = await call({ ...req, ...(tok ? { token: tok } : {}) });
    expect(res.statusCode).toBe(c.expected[who]);
    const codes: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'TENANT_NOT_FOUND' };
    const code = codes[res.statusCode];
    if (code) expect(res.json<{ code: string }>().code).toBe(code);
  });
});

describe('tenant isolation', () => {
  it("B's admin using A's ids under B's tenant gets 404 and A is unchanged", async () => {
    const b = await taskTenant(t);
    const before = await query(
      t.db.adminUrl,
      'SELECT id, status, assignee_id, due_date, updated_at FROM task WHERE tenant_id = $1 ORDER BY id',
      [tt.admin.tenantId],
    );
    const bBase = `/api/v1/tenants/${b.admin.tenantId}`;
    const aTask = tt.tasks['PX-13']!;
    const attempts = [
      { method: 'GET' as const, url: `${bBase}/tasks/${aTask}`, code: 'TASK_NOT_FOUND' },
      { method: 'PATCH' as const, url: `${bBase}/tasks/${aTask}`, payload: { dueDate: '2040-01-01' }, code: 'TASK_NOT_FOUND' },
      { method: 'POST' as const, url: `${bBase}/tasks/${aTask}/complete`, payload: {}, code: 'TASK_NOT_FOUND' },
      { method: 'POST' as const, url: `${bBase}/tasks/${aTask}/reviews`, payload: { decision: 'approve' }, code: 'TASK_NOT_FOUND' },
      {
        method: 'POST' as const,
        url: `${bBase}/tasks/${tt.tasks['PX-32']!}/occurrences`,
        payload: { occurredOn: '2026-01-01', description: 'x' },
        code: 'TASK_NOT_FOUND',
      },
      { method: 'GET' as const, url: `${bBase}/subscriptions/${tt.subscriptionId}`, code: 'SUBSCRIPTION_NOT_FOUND' },
      {
        method: 'PATCH' as const,
        url: `${bBase}/subscriptions/${tt.subscriptionId}`,
        payload: { phase: 'end_of_service' },
        code: 'SUBSCRIPTION_NOT_FOUND',
      },
      { method: 'GET' as const, url: `${bBase}/subscriptions/${tt.subscriptionId}/provider-commitments`, code: 'SUBSCRIPTION_NOT_FOUND' },
      { method: 'GET' as const, url: `/api/v1/tenants/${tt.admin.tenantId}/tasks`, code: 'TENANT_NOT_FOUND' },
      { method: 'GET' as const, url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${aTask}`, code: 'TENANT_NOT_FOUND' },
    ];
    for (const a of attempts) {
      const res = await call({ method: a.method, url: a.url, token: b.admin.accessToken, ...(a.payload ? { payload: a.payload } : {}) });
      expect([a.url, res.statusCode, res.json<{ code: string }>().code]).toEqual([a.url, 404, a.code]);
    }
    const list = await call({ method: 'GET', url: `${bBase}/tasks?limit=200`, token: b.admin.accessToken });
    expect(list.json<{ items: { id: string }[] }>().items.map((i) => i.id)).not.toContain(aTask);
    expect(
      await query(t.db.adminUrl, 'SELECT id, status, assignee_id, due_date, updated_at FROM task WHERE tenant_id = $1 ORDER BY id', [
        tt.admin.tenantId,
      ]),
    ).toEqual(before);
    expect(await query(t.db.adminUrl, 'SELECT phase FROM subscription WHERE id = $1', [tt.subscriptionId])).toEqual([
      { phase: 'operations' },
    ]);
  });

  it("assigning A's task in B to A's member: refused", async () => {
    const b = await taskTenant(t);
    const res = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${b.admin.tenantId}/tasks/${b.tasks['PX-11']!}`,
      token: b.admin.accessToken,
      payload: { assigneeId: tt.member.userId },
    });
    expect(res.statusCode).toBe(422);
  });
});
