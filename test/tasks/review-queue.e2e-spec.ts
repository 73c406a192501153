import { Client } from 'pg';
import { bootTestApp, type TestApp } from '../harness/app';
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { giveEvidence, taskTenant, type TaskTenant } from './setup';

interface Item {
  tenantId: string;
  tenantName: string;
  taskId: string;
  activityKey: string;
  title: string;
  completedAt: string;
  completedBy: string | null;
  evidenceCount: number;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

let t: TestApp;
let call: Caller;
/** Tenants A (the reviewer is its auditor), B (its member), C (its auditor, expired). */
let a: TaskTenant;
let b: TaskTenant;
let c: TaskTenant;
let reviewer: Account;
const done: Record<'a' | 'b' | 'c', string[]> = { a: [], b: [], c: [] };

/** The member of the tenant completes its task, through the API. */
async function complete(tt: TaskTenant, taskId: string, by: Account = tt.member): Promise<void> {
  await giveEvidence(t, taskId);
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${taskId}/complete`,
    token: by.accessToken,
    payload: {},
  });
  expect(res.statusCode).toBe(200);
}

const queue = async (token: string | undefined, qs = ''): Promise<Page> => {
  const res = await call({ method: 'GET', url: `/api/v1/me/review-queue${qs}`, ...(token ? { token } : {}) });
  expect(res.statusCode).toBe(200);
  return res.json<Page>();
};

beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '10000/1h' });
  call = caller(t.app);
  [a, b, c] = [await taskTenant(t), await taskTenant(t), await taskTenant(t)];
  reviewer = await signup(t.app);
  await addMember(t.db.adminUrl, a.admin.tenantId, reviewer.userId, 'auditor');
  await addMember(t.db.adminUrl, b.admin.tenantId, reviewer.userId, 'member');
  await addMember(t.db.adminUrl, c.admin.tenantId, reviewer.userId, 'auditor', new Date(Date.now() - 60_000));
  for (const [name, tt] of [
    ['a', a],
    ['b', b],
    ['c', c],
  ] as const) {
    const ids = Object.values(tt.tasks).slice(0, 3);
    for (const id of ids) await complete(tt, id);
    done[name] = ids;
  }
});
afterAll(async () => t.close());

describe('GET /me/review-queue', () => {
  it('lists the tasks waiting in the tenants where the user is an active auditor, and no other tenant', async () => {
    const page = await queue(reviewer.accessToken);
    expect(page.items.map((i) => i.taskId).sort()).toEqual([...done.a].sort());
    expect(new Set(page.items.map((i) => i.tenantId))).toEqual(new Set([a.admin.tenantId]));
    const [tenant] = await query<{ name: string }>(t.db.adminUrl, 'SELECT name FROM tenant WHERE id = $1', [a.admin.tenantId]);
    expect(page.items[0]!.tenantName).toBe(tenant!.name);
    expect(page.items[0]).toMatchObject({ completedBy: a.member.userId, evidenceCount: 1 });
    expect(page.nextCursor).toBeNull();
  });

  it('serves the longest waiting first, in keyset pages', async () => {
    // Distinct completion times, the last completed first in the table's order.
    for (const [i, id] of done.a.entries())
      await query(t.db.adminUrl, 'UPDATE task SET completed_at = now() - make_interval(hours => $2) WHERE id = $1', [id, 10 - i]);
    const first = await queue(reviewer.accessToken, '?limit=2');
    expect(first.items.map((i) => i.taskId)).toEqual(done.a.slice(0, 2));
    expect(first.nextCursor).not.toBeNull();
    const second = await queue(reviewer.accessToken, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => i.taskId)).toEqual(done.a.slice(2));
    expect(second.nextCursor).toBeNull();
  });

  it('drops a task once it is reviewed, and shows a new one in a second tenant when the user becomes its auditor', async () => {
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${a.admin.tenantId}/tasks/${done.a[0]}/reviews`,
      token: reviewer.accessToken,
      payload: { decision: 'approve' },
    });
    expect(res.statusCode).toBe(201);
    expect((await queue(reviewer.accessToken)).items.map((i) => i.taskId)).not.toContain(done.a[0]);
    await query(t.db.adminUrl, "UPDATE membership SET expires_at = now() + interval '1 day' WHERE tenant_id = $1 AND user_id = $2", [
      c.admin.tenantId,
      reviewer.userId,
    ]);
    const page = await queue(reviewer.accessToken);
    expect(new Set(page.items.map((i) => i.tenantId))).toEqual(new Set([a.admin.tenantId, c.admin.tenantId]));
    await query(t.db.adminUrl, "UPDATE membership SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1 AND user_id = $2", [
      c.admin.tenantId,
      reviewer.userId,
    ]);
    expect((await queue(reviewer.accessToken)).items.every((i) => i.tenantId === a.admin.tenantId)).toBe(true);
  });

  it('gives admins their tenant’s queue without the tasks they completed themselves', async () => {
    const own = Object.values(b.tasks)[5]!;
    await complete(b, own, b.admin);
    const page = await queue(b.admin.accessToken);
    expect(page.items.map((i) => i.taskId).sort()).toEqual([...done.b].sort());
    expect(page.items.map((i) => i.taskId)).not.toContain(own);
  });

  it('is empty for members, viewers and users without memberships', async () => {
    expect((await queue(a.member.accessToken)).items).toEqual([]);
    expect((await queue(a.viewer.accessToken)).items).toEqual([]);
    expect((await queue((await signup(t.app)).accessToken)).items).toEqual([]);
  });

  it('cannot be widened from the app role: the definer scope set by hand shows nothing more', async () => {
    const client = new Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      await client.query("SELECT set_config('app.scope', 'tasks_review', false), set_config('app.user_id', $1, false)", [reviewer.userId]);
      const seen = await client.query<{ n: string }>('SELECT count(*) AS n FROM task');
      expect(Number(seen.rows[0]!.n)).toBe(0);
      // The same session through the function sees the reviewer's queue: the scope is the function's alone.
      const via = await client.query<{ n: string }>('SELECT count(*) AS n FROM tasks_review_queue(NULL, NULL, 50)');
      expect(Number(via.rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
    // The function itself with no authenticated user answers nothing.
    const none = await query<{ n: string }>(t.db.appUrl, 'SELECT count(*) AS n FROM tasks_review_queue(NULL, NULL, 50)');
    expect(Number(none[0]!.n)).toBe(0);
  });

  it('refuses bad input with 400 and a stable code, and anonymous callers with 401', async () => {
    for (const [qs, code] of [
      ['?limit=0', 'VALIDATION_FAILED'],
      ['?limit=201', 'VALIDATION_FAILED'],
      ['?cursor=garbage', 'INVALID_CURSOR'],
      [`?cursor=${Buffer.from(JSON.stringify([1e300, '00000000-0000-0000-0000-000000000000'])).toString('base64url')}`, 'INVALID_CURSOR'],
      [`?cursor=${Buffer.from(JSON.stringify([-5, '00000000-0000-0000-0000-000000000000'])).toString('base64url')}`, 'INVALID_CURSOR'],
    ] as const) {
      const res = await call({ method: 'GET', url: `/api/v1/me/review-queue${qs}`, token: reviewer.accessToken });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ code: string }>().code).toBe(code);
    }
    expect((await call({ method: 'GET', url: '/api/v1/me/review-queue' })).statusCode).toBe(401);
  });
});
