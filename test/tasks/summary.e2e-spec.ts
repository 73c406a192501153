import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { giveEvidence, taskTenant, type TaskTenant } from './setup';

interface Counts {
  total: number;
  open: number;
  overdue: number;
  todo: number;
  inProgress: number;
  awaitingReview: number;
  approved: number;
  rejected: number;
  notApplicable: number;
  withdrawn: number;
}
interface Short {
  id: string;
  activityKey: string;
  dueDate: string | null;
  status: string;
}
interface Summary {
  timezone: string;
  today: string;
  totals: Counts;
  byPhase: { phase: string; counts: Counts }[];
  bySection: { section: string; counts: Counts }[];
  dueIn7Days: { count: number; tasks: Short[] };
  dueIn30Days: { count: number; tasks: Short[] };
  rejected: { count: number; tasks: { task: Short; comment: string | null; rejectedAt: string | null; reviewerId: string | null }[] };
  weeks: { weekStart: string; completed: number; approved: number; rejected: number }[];
}

let t: TestApp;
let call: Caller;
let tt: TaskTenant;
let outsider: Account;
/** Task ids by the part they play below. */
const ids: Record<string, string> = {};
const utcToday = (): string => new Date().toISOString().slice(0, 10);
const plusDays = (d: string, n: number): string => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const summaryOf = async (tenantId: string, token: string): Promise<Summary> => {
  const res = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}/summary`, token });
  expect(res.statusCode).toBe(200);
  return res.json<Summary>();
};

beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '10000/1h' });
  call = caller(t.app);
  // 20 tasks, one per duty (version 2024-06-26), in UTC.
  tt = await taskTenant(t, { startsOn: '2026-01-01' }, { firstPeriodsOnly: true });
  outsider = await signup(t.app);
  const keys = Object.keys(tt.tasks).sort();
  expect(keys).toHaveLength(20);
  const roles = ['overdue', 'today', 'in6', 'in7', 'in29', 'in30', 'approved', 'rejected', 'waiting', 'withdrawn', 'na'];
  roles.forEach((r, i) => (ids[r] = tt.tasks[keys[i]!]!));
  const today = utcToday();
  // A known state: everything todo, due in 100 days, then one task per case.
  await query(t.db.adminUrl, `UPDATE task SET status = 'todo', due_date = $2::date + 100, completed_at = NULL WHERE tenant_id = $1`, [
    tt.admin.tenantId,
    today,
  ]);
  const due = async (role: string, days: number, status = 'todo'): Promise<void> => {
    await query(t.db.adminUrl, 'UPDATE task SET due_date = $2::date + $3::int, status = $4 WHERE id = $1', [
      ids[role],
      today,
      days,
      status,
    ]);
  };
  await due('overdue', -1);
  await due('today', 0);
  await due('in6', 6, 'in_progress');
  await due('in7', 7);
  await due('in29', 29);
  await due('in30', 30);
  await query(t.db.adminUrl, "UPDATE task SET status = 'withdrawn' WHERE id = $1", [ids.withdrawn]);
  await query(t.db.adminUrl, "UPDATE task SET status = 'not_applicable', not_applicable_reason = 'not used' WHERE id = $1", [ids.na]);
  // Through the API: the member completes three, the auditor approves one and rejects one.
  for (const r of ['approved', 'rejected', 'waiting']) {
    await giveEvidence(t, ids[r]!);
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${ids[r]}/complete`,
      token: tt.member.accessToken,
      payload: {},
    });
    expect(res.statusCode).toBe(200);
  }
  const review = async (r: string, payload: object): Promise<void> => {
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${ids[r]}/reviews`,
      token: tt.auditor.accessToken,
      payload,
    });
    expect(res.statusCode).toBe(201);
  };
  await review('approved', { decision: 'approve' });
  await review('rejected', { decision: 'reject', comment: 'The signed copy is missing.' });
});
afterAll(async () => t.close());

describe('GET /tenants/:tenantId/summary', () => {
  it('counts the tenant’s tasks by status, with withdrawn ones apart', async () => {
    const s = await summaryOf(tt.admin.tenantId, tt.admin.accessToken);
    expect(s.timezone).toBe('UTC');
    expect(s.today).toBe(utcToday());
    expect(s.totals).toEqual({
      total: 19,
      open: 16,
      overdue: 1,
      todo: 14,
      inProgress: 1,
      awaitingReview: 1,
      approved: 1,
      rejected: 1,
      notApplicable: 1,
      withdrawn: 1,
    });
  });

  it('breaks the counts down by phase and by section, adding up to the totals', async () => {
    const s = await summaryOf(tt.admin.tenantId, tt.member.accessToken);
    const sum = (groups: { counts: Counts }[], k: keyof Counts): number => groups.reduce((n, g) => n + g.counts[k], 0);
    for (const k of ['total', 'open', 'overdue', 'approved', 'withdrawn'] as const) {
      expect(sum(s.byPhase, k)).toBe(s.totals[k]);
      expect(sum(s.bySection, k)).toBe(s.totals[k]);
    }
    const phases = s.byPhase.map((p) => p.phase);
    const order = ['before_subscription', 'setup', 'operations', 'reversibility', 'end_of_contract'];
    expect([...phases].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(phases);
    const bySection = await query<{ section: string; n: string }>(
      t.db.adminUrl,
      `SELECT sec.key AS section, count(*) AS n FROM task t JOIN activity a ON a.id = t.activity_id JOIN catalog_section sec ON sec.id = a.section_id
        WHERE t.tenant_id = $1 AND t.status <> 'withdrawn' GROUP BY sec.key ORDER BY sec.key`,
      [tt.admin.tenantId],
    );
    expect(s.bySection.filter((g) => g.counts.total > 0).map((g) => [g.section, g.counts.total])).toEqual(
      bySection.map((r) => [r.section, Number(r.n)]),
    );
  });

  it('lists what is due in the next 7 and 30 days, open tasks only, soonest first', async () => {
    const s = await summaryOf(tt.admin.tenantId, tt.viewer.accessToken);
    expect(s.dueIn7Days.count).toBe(2);
    expect(s.dueIn7Days.tasks.map((x) => x.id)).toEqual([ids.today, ids.in6]);
    expect(s.dueIn30Days.count).toBe(4);
    expect(s.dueIn30Days.tasks.map((x) => x.id)).toEqual([ids.today, ids.in6, ids.in7, ids.in29]);
    expect(s.dueIn30Days.tasks[0]!.dueDate).toBe(utcToday());
    expect(s.dueIn30Days.tasks.map((x) => x.id)).not.toContain(ids.in30);
  });

  it('lists the rejected tasks with the rejection’s comment', async () => {
    const s = await summaryOf(tt.admin.tenantId, tt.auditor.accessToken);
    expect(s.rejected.count).toBe(1);
    expect(s.rejected.tasks).toHaveLength(1);
    expect(s.rejected.tasks[0]).toMatchObject({
      task: { id: ids.rejected, status: 'rejected' },
      comment: 'The signed copy is missing.',
      reviewerId: tt.auditor.userId,
    });
    expect(s.rejected.tasks[0]!.rejectedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('gives 12 Monday weeks of completions, approvals and rejections, this week last', async () => {
    // One completion three weeks back (its task approved then).
    await query(t.db.adminUrl, "UPDATE task SET status = 'approved', completed_at = now() - interval '21 days' WHERE id = $1", [ids.in30]);
    const s = await summaryOf(tt.admin.tenantId, tt.admin.accessToken);
    expect(s.weeks).toHaveLength(12);
    for (const w of s.weeks) expect(new Date(`${w.weekStart}T00:00:00Z`).getUTCDay()).toBe(1);
    const last = s.weeks[11]!;
    expect(plusDays(last.weekStart, 0) <= utcToday() && utcToday() < plusDays(last.weekStart, 7)).toBe(true);
    expect(last).toMatchObject({ completed: 3, approved: 1, rejected: 1 });
    expect(s.weeks[8]).toMatchObject({ completed: 1, approved: 0 });
    expect(s.weeks.reduce((n, w) => n + w.completed, 0)).toBe(4);
    await query(t.db.adminUrl, "UPDATE task SET status = 'todo', completed_at = NULL WHERE id = $1", [ids.in30]);
  });

  it('uses the tenant’s time zone, and answers an empty summary for a tenant without tasks', async () => {
    const other = await signup(t.app);
    const empty = await summaryOf(other.tenantId, other.accessToken);
    expect(empty.totals.total).toBe(0);
    expect(empty.byPhase).toEqual([]);
    expect(empty.dueIn7Days).toEqual({ count: 0, tasks: [] });
    expect(empty.rejected).toEqual({ count: 0, tasks: [] });
    expect(empty.weeks).toHaveLength(12);
    // The tenant's zone, set by its admin; a subscription given a zone of its own does not move it.
    const zone = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${other.tenantId}/reminder-settings`,
      token: other.accessToken,
      payload: { timeZone: 'Pacific/Kiritimati' },
    });
    expect(zone.statusCode).toBe(200);
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${other.tenantId}/subscriptions`,
      token: other.accessToken,
      payload: { catalogKey: 'ovhcloud-private-exchange', version: '2024-06-26', startsOn: utcToday(), timezone: 'America/Adak' },
    });
    expect(res.statusCode).toBe(201);
    const s = await summaryOf(other.tenantId, other.accessToken);
    expect(s.timezone).toBe('Pacific/Kiritimati');
    expect(s.today).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Kiritimati' }).format(new Date()));
    expect(s.totals.total).toBeGreaterThanOrEqual(20);
    // Tenant isolation: the first tenant's figures did not move.
    expect((await summaryOf(tt.admin.tenantId, tt.admin.accessToken)).totals.total).toBe(19);
  });

  it('is open to every role of the tenant and to no one else', async () => {
    for (const who of [tt.admin, tt.member, tt.auditor, tt.viewer])
      expect((await call({ method: 'GET', url: `/api/v1/tenants/${tt.admin.tenantId}/summary`, token: who.accessToken })).statusCode).toBe(
        200,
      );
    const foreign = await call({ method: 'GET', url: `/api/v1/tenants/${tt.admin.tenantId}/summary`, token: outsider.accessToken });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json<{ code: string }>().code).toBe('TENANT_NOT_FOUND');
    const anonymous = await call({ method: 'GET', url: `/api/v1/tenants/${tt.admin.tenantId}/summary` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers a bad tenant id with a 4xx and a stable code', async () => {
    for (const bad of ['not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      const res = await call({ method: 'GET', url: `/api/v1/tenants/${bad}/summary`, token: tt.admin.accessToken });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json<{ code: string }>().code).toMatch(/^[A-Z_]+$/);
    }
  });
});
