import { addMembership } from '../factories/tenancy';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { giveEvidence, taskTenant, type TaskTenant } from './setup';

let t: TestApp;
let call: Caller;
let tt: TaskTenant;
beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '10000/1h' });
  call = caller(t.app);
  // Started long ago, so the first monthly and quarterly periods are overdue today.
  tt = await taskTenant(t, { startsOn: '2025-01-01' }, { firstPeriodsOnly: true });
});
afterAll(async () => t.close());

const url = (path = ''): string => `/api/v1/tenants/${tt.admin.tenantId}/tasks${path}`;
interface TaskBody {
  id: string;
  activityKey: string;
  status: string;
  dueDate: string | null;
  overdue: boolean;
  evidenceCount: number;
  raci: Record<string, string>;
  assigneeId: string | null;
}
interface Page {
  items: TaskBody[];
  nextCursor: string | null;
}

describe('GET /tasks', () => {
  it("lists the tenant's tasks by due date (none last), with RACI letters and evidence counts", async () => {
    const res = await call({ method: 'GET', url: url(), token: tt.viewer.accessToken });
    expect(res.statusCode).toBe(200);
    const page = res.json<Page>();
    expect(page.items).toHaveLength(20);
    expect(page.nextCursor).toBeNull();
    const dues = page.items.map((i) => i.dueDate ?? '9999-12-31');
    expect([...dues].sort()).toEqual(dues);
    expect(page.items.at(-1)?.dueDate).toBeNull();
    expect(page.items.find((i) => i.activityKey === 'PX-07')).toMatchObject({
      raci: { customer: 'A', provider: 'R' },
      evidenceCount: 0,
      status: 'todo',
      title: 'Configure SSL certificate following delivery by OVHcloud',
      section: '2.1',
      phase: 'setup',
    });
  });

  it('pages with a cursor, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call({ method: 'GET', url: url(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`), token: tt.member.accessToken });
      const page = res.json<Page>();
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(20);
    expect(new Set(seen).size).toBe(20);
  });

  it.each([
    ['overdue=true', (i: TaskBody): boolean => i.overdue && i.dueDate !== null],
    ['status=todo', (i: TaskBody): boolean => i.status === 'todo'],
    ['phase=reversibility', (i: TaskBody): boolean => ['PX-36', 'PX-37', 'PX-38'].includes(i.activityKey)],
    ['section=3.1.2', (i: TaskBody): boolean => ['PX-18', 'PX-19'].includes(i.activityKey)],
    ['dueBefore=2025-02-01', (i: TaskBody): boolean => i.dueDate !== null && i.dueDate < '2025-02-01'],
    ['q=backup%20mailboxes', (i: TaskBody): boolean => i.activityKey === 'PX-17'],
    ['assigneeId=none', (i: TaskBody): boolean => i.assigneeId === null],
  ])('filters: %s', async (query, matches) => {
    const res = await call({ method: 'GET', url: url(`?${query}`), token: tt.auditor.accessToken });
    expect(res.statusCode).toBe(200);
    const items = res.json<Page>().items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every(matches)).toBe(true);
  });

  it('overdue=true finds exactly the open tasks due before today', async () => {
    const all = (await call({ method: 'GET', url: url(), token: tt.admin.accessToken })).json<Page>().items;
    const overdue = (await call({ method: 'GET', url: url('?overdue=true'), token: tt.admin.accessToken })).json<Page>().items;
    const today = new Date().toISOString().slice(0, 10);
    expect(overdue.map((i) => i.id).sort()).toEqual(
      all
        .filter((i) => i.dueDate !== null && i.dueDate < today && ['todo', 'in_progress', 'rejected'].includes(i.status))
        .map((i) => i.id)
        .sort(),
    );
  });

  it.each([
    'limit=0',
    'limit=201',
    'limit=x',
    'status=lost',
    'overdue=maybe',
    'dueBefore=2025-13-01',
    'cursor=garbage',
    'assigneeId=42',
    'colour=red',
  ])('refuses ?%s with 400', async (q) => {
    const res = await call({ method: 'GET', url: url(`?${q}`), token: tt.admin.accessToken });
    expect(res.statusCode).toBe(400);
    expect(['VALIDATION_FAILED', 'INVALID_CURSOR']).toContain(res.json<{ code: string }>().code);
  });
});

describe('PATCH /tasks/:taskId', () => {
  it('assigns to a member, changes the due date, moves todo -> in_progress -> todo', async () => {
    const id = tt.tasks['PX-13']!;
    const res = await call({
      method: 'PATCH',
      url: url(`/${id}`),
      token: tt.member.accessToken,
      payload: { assigneeId: tt.member.userId, dueDate: '2027-01-15', status: 'in_progress' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ assigneeId: tt.member.userId, dueDate: '2027-01-15', status: 'in_progress', overdue: false });
    expect(
      (
        await call({ method: 'PATCH', url: url(`/${id}`), token: tt.member.accessToken, payload: { status: 'todo', assigneeId: null } })
      ).json(),
    ).toMatchObject({ status: 'todo', assigneeId: null });
  });

  it.each([
    ['an auditor', (): string => tt.auditor.userId],
    ['someone outside the tenant', (): string => tt.admin.userId.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))],
  ])('refuses to assign %s: 422 ASSIGNEE_NOT_MEMBER', async (_w, who) => {
    const res = await call({
      method: 'PATCH',
      url: url(`/${tt.tasks['PX-13']!}`),
      token: tt.admin.accessToken,
      payload: { assigneeId: who() },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json<{ code: string }>().code).toBe('ASSIGNEE_NOT_MEMBER');
  });

  it('not applicable: admin only, optional duties only, with a reason; and back to todo', async () => {
    const optional = tt.tasks['PX-17']!;
    expect(
      (
        await call({
          method: 'PATCH',
          url: url(`/${optional}`),
          token: tt.member.accessToken,
          payload: { status: 'not_applicable', reason: 'x' },
        })
      ).statusCode,
    ).toBe(403);
    const noReason = await call({
      method: 'PATCH',
      url: url(`/${optional}`),
      token: tt.admin.accessToken,
      payload: { status: 'not_applicable' },
    });
    expect(noReason.json<{ code: string }>().code).toBe('REASON_REQUIRED');
    const required = await call({
      method: 'PATCH',
      url: url(`/${tt.tasks['PX-11']!}`),
      token: tt.admin.accessToken,
      payload: { status: 'not_applicable', reason: 'we think so' },
    });
    expect(required.statusCode).toBe(409);
    expect(required.json<{ code: string }>().code).toBe('DUTY_NOT_OPTIONAL');
    const ok = await call({
      method: 'PATCH',
      url: url(`/${optional}`),
      token: tt.admin.accessToken,
      payload: { status: 'not_applicable', reason: 'Mailbox backups are covered by the provider plan' },
    });
    expect(ok.json()).toMatchObject({
      status: 'not_applicable',
      notApplicableReason: 'Mailbox backups are covered by the provider plan',
      overdue: false,
    });
    expect(
      (await call({ method: 'PATCH', url: url(`/${optional}`), token: tt.admin.accessToken, payload: { status: 'todo' } })).json(),
    ).toMatchObject({ status: 'todo', notApplicableReason: null });
  });

  it('done/approved cannot be set by PATCH', async () => {
    const res = await call({
      method: 'PATCH',
      url: url(`/${tt.tasks['PX-13']!}`),
      token: tt.admin.accessToken,
      payload: { status: 'done' },
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('complete and review', () => {
  it('the whole cycle: evidence required, done, rejected with a comment, new evidence, done, approved', async () => {
    const id = tt.tasks['PX-18']!;
    const noEvidence = await call({ method: 'POST', url: url(`/${id}/complete`), token: tt.member.accessToken, payload: {} });
    expect(noEvidence.statusCode).toBe(422);
    expect(noEvidence.json<{ code: string }>().code).toBe('EVIDENCE_REQUIRED');
    await giveEvidence(t, id);
    const done = await call({
      method: 'POST',
      url: url(`/${id}/complete`),
      token: tt.member.accessToken,
      payload: { comment: 'access review done' },
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ status: 'done', completedBy: tt.member.userId });
    const again = await call({ method: 'POST', url: url(`/${id}/complete`), token: tt.member.accessToken, payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'INVALID_TRANSITION',
      message: expect.stringContaining('The task is done'),
      details: { current: 'done' },
    });

    const noComment = await call({
      method: 'POST',
      url: url(`/${id}/reviews`),
      token: tt.auditor.accessToken,
      payload: { decision: 'reject' },
    });
    expect(noComment.statusCode).toBe(400);
    const rejected = await call({
      method: 'POST',
      url: url(`/${id}/reviews`),
      token: tt.auditor.accessToken,
      payload: { decision: 'reject', comment: 'The export is from last year' },
    });
    expect(rejected.statusCode).toBe(201);
    expect(rejected.json()).toMatchObject({
      status: 'rejected',
      review: { decision: 'reject', comment: 'The export is from last year', reviewerId: tt.auditor.userId },
    });

    const stale = await call({ method: 'POST', url: url(`/${id}/complete`), token: tt.member.accessToken, payload: {} });
    expect(stale.statusCode).toBe(422);
    expect(stale.json<{ message: string }>().message).toMatch(/new evidence/);
    await giveEvidence(t, id);
    expect((await call({ method: 'POST', url: url(`/${id}/complete`), token: tt.member.accessToken, payload: {} })).json()).toMatchObject({
      status: 'done',
    });
    const approved = await call({
      method: 'POST',
      url: url(`/${id}/reviews`),
      token: tt.auditor.accessToken,
      payload: { decision: 'approve' },
    });
    expect(approved.json()).toMatchObject({ status: 'approved' });

    const detail = await call({ method: 'GET', url: url(`/${id}`), token: tt.viewer.accessToken });
    expect(detail.json<{ reviews: { decision: string }[] }>().reviews.map((r) => r.decision)).toEqual(['reject', 'approve']);
    // History: the task's audit events, oldest first.
    expect(detail.json<{ history: { action: string }[] }>().history.map((h) => h.action)).toEqual([
      'task.completed',
      'task.rejected',
      'task.completed',
      'task.approved',
    ]);
    const late = await call({
      method: 'POST',
      url: url(`/${id}/reviews`),
      token: tt.auditor.accessToken,
      payload: { decision: 'reject', comment: 'no' },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json<{ code: string }>().code).toBe('INVALID_TRANSITION');
  });

  it('an admin cannot review a task they completed themselves; another admin can', async () => {
    const id = tt.tasks['PX-22']!;
    await giveEvidence(t, id);
    await call({ method: 'POST', url: url(`/${id}/complete`), token: tt.admin.accessToken, payload: {} });
    const self = await call({ method: 'POST', url: url(`/${id}/reviews`), token: tt.admin.accessToken, payload: { decision: 'approve' } });
    expect(self.statusCode).toBe(403);
    expect(self.json<{ code: string }>().code).toBe('SELF_REVIEW');
    const other = await signup(t.app);
    await addMembership(t.db.adminUrl, tt.admin.tenantId, other.userId, 'admin');
    expect(
      (await call({ method: 'POST', url: url(`/${id}/reviews`), token: other.accessToken, payload: { decision: 'approve' } })).statusCode,
    ).toBe(201);
  });

  it('two reviews at once: exactly one wins, the other gets 409', async () => {
    const id = tt.tasks['PX-30']!;
    await giveEvidence(t, id);
    await call({ method: 'POST', url: url(`/${id}/complete`), token: tt.member.accessToken, payload: {} });
    const second = await signup(t.app);
    await addMembership(t.db.adminUrl, tt.admin.tenantId, second.userId, 'auditor');
    const results = await Promise.all([
      call({ method: 'POST', url: url(`/${id}/reviews`), token: tt.auditor.accessToken, payload: { decision: 'approve' } }),
      call({
        method: 'POST',
        url: url(`/${id}/reviews`),
        token: second.accessToken,
        payload: { decision: 'reject', comment: 'incomplete' },
      }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM review WHERE task_id = $1', [id])).toHaveLength(1);
  });
});

describe('task detail', () => {
  it('carries the evidence attached to the task', async () => {
    const id = tt.tasks['PX-09']!;
    const added = await call({
      method: 'POST',
      url: url(`/${id}/evidence`),
      token: tt.member.accessToken,
      payload: { kind: 'note', text: 'Migrator chosen: imapsync, see ticket 12' },
    });
    expect(added.statusCode).toBe(201);
    const detail = await call({ method: 'GET', url: url(`/${id}`), token: tt.auditor.accessToken });
    expect(detail.json()).toMatchObject({
      evidenceCount: 1,
      status: 'in_progress',
      evidence: [{ kind: 'note', text: 'Migrator chosen: imapsync, see ticket 12' }],
    });
    expect(detail.json<{ history: { action: string }[] }>().history.map((h) => h.action)).toContain('evidence.added');
  });
});

describe('event-driven duties', () => {
  it('logs occurrences on an on_event duty, refuses them elsewhere', async () => {
    const res = await call({
      method: 'POST',
      url: url(`/${tt.tasks['PX-32']!}/occurrences`),
      token: tt.member.accessToken,
      payload: { occurredOn: '2025-06-03', description: 'Outage ticket #4411 opened' },
    });
    expect(res.statusCode).toBe(201);
    const detail = await call({ method: 'GET', url: url(`/${tt.tasks['PX-32']!}`), token: tt.auditor.accessToken });
    expect(detail.json<{ events: { occurredOn: string; description: string }[] }>().events).toEqual([
      expect.objectContaining({ occurredOn: '2025-06-03', description: 'Outage ticket #4411 opened' }),
    ]);
    const wrong = await call({
      method: 'POST',
      url: url(`/${tt.tasks['PX-11']!}/occurrences`),
      token: tt.member.accessToken,
      payload: { occurredOn: '2025-06-03', description: 'x' },
    });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json<{ code: string }>().code).toBe('NOT_EVENT_DRIVEN');
  });
});

describe('not found', () => {
  it.each(['not-a-uuid', '00000000-0000-4000-8000-000000000000'])('task %s: 404 TASK_NOT_FOUND', async (id) => {
    const res = await call({ method: 'GET', url: url(`/${id}`), token: tt.admin.accessToken });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ code: string }>().code).toBe('TASK_NOT_FOUND');
  });
});

describe('withdrawn tasks (set by a catalog upgrade)', () => {
  it('are neither open nor overdue, take no transition, and are still listed and readable', async () => {
    const w = await taskTenant(t);
    const taskId = w.tasks['PX-22']!;
    // The system action `withdraw` has no endpoint: a catalog upgrade sets it.
    await query(t.db.adminUrl, "UPDATE task SET status = 'withdrawn', due_date = '2020-01-01' WHERE id = $1", [taskId]);
    const base = `/api/v1/tenants/${w.admin.tenantId}/tasks`;
    const overdue = await call({ method: 'GET', url: `${base}?overdue=true&limit=200`, token: w.admin.accessToken });
    expect(overdue.json<Page>().items.map((i) => i.id)).not.toContain(taskId);
    const listed = await call({ method: 'GET', url: `${base}?status=withdrawn`, token: w.viewer.accessToken });
    expect(listed.statusCode).toBe(200);
    expect(listed.json<Page>().items.map((i) => i.id)).toEqual([taskId]);
    const detail = await call({ method: 'GET', url: `${base}/${taskId}`, token: w.auditor.accessToken });
    expect(detail.json()).toMatchObject({ status: 'withdrawn', overdue: false });
    for (const [method, path, payload] of [
      ['POST', 'complete', {}],
      ['PATCH', '', { status: 'in_progress' }],
      ['PATCH', '', { status: 'not_applicable', reason: 'x' }],
    ] as const) {
      const res = await call({ method, url: `${base}/${taskId}${path ? `/${path}` : ''}`, token: w.admin.accessToken, payload });
      expect(res.statusCode).toBe(409);
      expect(res.json<{ code: string }>().code).toBe('INVALID_TRANSITION');
    }
    const review = await call({
      method: 'POST',
      url: `${base}/${taskId}/reviews`,
      token: w.auditor.accessToken,
      payload: { decision: 'approve' },
    });
    expect(review.json<{ code: string }>().code).toBe('INVALID_TRANSITION');
  });
});
