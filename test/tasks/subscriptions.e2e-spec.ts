import { OccurrencesService, todayIn } from '../../libs/tasks';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { taskTenant } from './setup';

let t: TestApp;
let call: Caller;
let occurrences: OccurrencesService;
beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '10000/1h' });
  call = caller(t.app);
  occurrences = t.app.get(OccurrencesService);
});
afterAll(async () => t.close());

const dueByKey = async (tenantId: string): Promise<Record<string, string | null>> => {
  const rows = await query<{ key: string; due: string | null }>(
    t.db.adminUrl,
    'SELECT a.key, t.due_date::text AS due FROM task t JOIN activity a ON a.id = t.activity_id WHERE t.tenant_id = $1 ORDER BY t.period_start',
    [tenantId],
  );
  const out: Record<string, string | null> = {};
  for (const r of rows) if (!(r.key in out)) out[r.key] = r.due;
  return out;
};

describe('POST /subscriptions', () => {
  it('creates one task per customer duty (20 in version 2024-06-26), due dates by phase and cadence', async () => {
    const admin = await signup(t.app);
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/subscriptions`,
      token: admin.accessToken,
      payload: { catalogKey: 'ovhcloud-private-exchange', version: '2024-06-26', startsOn: '2026-01-01' },
    });
    expect(res.statusCode).toBe(201);
    // One task per duty, plus the later periods started since 2026-01-01 (created at once).
    const [created] = await query<{ n: number }>(t.db.adminUrl, 'SELECT count(*)::int AS n FROM task WHERE tenant_id = $1', [
      admin.tenantId,
    ]);
    expect(created!.n).toBeGreaterThan(20);
    expect(res.json()).toMatchObject({
      tasksCreated: created!.n,
      phase: 'operations',
      timezone: 'UTC',
      startsOn: '2026-01-01',
      catalogVersion: '2024-06-26',
    });
    const due = await dueByKey(admin.tenantId);
    expect(Object.keys(due)).toHaveLength(20);
    // Earlier phases: confirmed at startsOn.
    for (const k of ['PX-01', 'PX-02', 'PX-03', 'PX-04', 'PX-07', 'PX-09', 'PX-10']) expect(due[k]).toBe('2026-01-01');
    // The current phase: the first period of each cadence.
    expect(due).toMatchObject({
      'PX-11': '2026-03-31',
      'PX-15': '2026-01-31',
      'PX-19': '2026-06-30',
      'PX-29': '2026-12-31',
      'PX-30': '2026-12-31',
      'PX-32': '2026-12-31',
    });
    // Later phases wait.
    for (const k of ['PX-36', 'PX-37', 'PX-38']) expect(due[k]).toBeNull();
  });

  it("without a version: the latest, the corrected catalog (18 customer duties; PX-26 is the customer's, PX-03/04/30 are not)", async () => {
    const admin = await signup(t.app);
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/subscriptions`,
      token: admin.accessToken,
      // Starting today: one period per duty (a start in the past also opens every period since).
      payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: new Date().toISOString().slice(0, 10) },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ tasksCreated: 18, catalogVersion: '2024-06-25' });
    const due = await dueByKey(admin.tenantId);
    expect(Object.keys(due)).toHaveLength(18);
    expect(Object.keys(due)).toContain('PX-26');
    for (const k of ['PX-03', 'PX-04', 'PX-30']) expect(Object.keys(due)).not.toContain(k);
  });

  it('one subscription per catalog: 409 SUBSCRIPTION_EXISTS, nothing added', async () => {
    const tt = await taskTenant(t);
    const before = await query(t.db.adminUrl, 'SELECT 1 FROM task WHERE tenant_id = $1', [tt.admin.tenantId]);
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions`,
      token: tt.admin.accessToken,
      payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-02-01' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ code: string }>().code).toBe('SUBSCRIPTION_EXISTS');
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM task WHERE tenant_id = $1', [tt.admin.tenantId])).toHaveLength(before.length);
  });

  it.each([
    [{ catalogKey: 'aws-s3', startsOn: '2026-01-01' }, 404, 'CATALOG_NOT_FOUND'],
    [{ catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-02-30' }, 400, 'VALIDATION_FAILED'],
    [{ catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-01-01', timezone: 'Mars/Olympus' }, 400, 'VALIDATION_FAILED'],
    [{ catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-01-01', phase: 'day_two' }, 400, 'VALIDATION_FAILED'],
    [{ catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-01-01', extra: 1 }, 400, 'VALIDATION_FAILED'],
  ])('refuses %j with %i %s and writes nothing', async (payload, status, code) => {
    const admin = await signup(t.app);
    const res = await call({ method: 'POST', url: `/api/v1/tenants/${admin.tenantId}/subscriptions`, token: admin.accessToken, payload });
    expect(res.statusCode).toBe(status);
    expect(res.json<{ code: string }>().code).toBe(code);
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM subscription WHERE tenant_id = $1', [admin.tenantId])).toHaveLength(0);
  });

  it('lists and shows subscriptions, and the provider commitments (10, read-only)', async () => {
    const tt = await taskTenant(t);
    const list = await call({ method: 'GET', url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions`, token: tt.viewer.accessToken });
    expect(list.json<{ items: { id: string }[] }>().items.map((s) => s.id)).toEqual([tt.subscriptionId]);
    const pc = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions/${tt.subscriptionId}/provider-commitments`,
      token: tt.auditor.accessToken,
    });
    expect(pc.statusCode).toBe(200);
    const items = pc.json<{ items: { activityKey: string; raci: Record<string, string> }[] }>().items;
    expect(items.map((i) => i.activityKey)).toEqual([
      'PX-05',
      'PX-06',
      'PX-08',
      'PX-21',
      'PX-27',
      'PX-28',
      'PX-31',
      'PX-33',
      'PX-39',
      'PX-40',
    ]);
    expect(items[1]).toMatchObject({ raci: { customer: 'CI', provider: 'RA' } });
  });
});

describe('PATCH /subscriptions/:id {phase}', () => {
  it('moves forward: the reached phase starts today and its duties get due dates', async () => {
    const tt = await taskTenant(t, { startsOn: '2026-01-01', timezone: 'Europe/Paris' });
    const res = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions/${tt.subscriptionId}`,
      token: tt.admin.accessToken,
      payload: { phase: 'reversibility' },
    });
    expect(res.statusCode).toBe(200);
    const today = todayIn('Europe/Paris');
    expect(res.json()).toMatchObject({ phase: 'reversibility', phaseStartedOn: { reversibility: today, operations: '2026-01-01' } });
    const due = await dueByKey(tt.admin.tenantId);
    const [y, m, d] = today.split('-').map(Number) as [number, number, number];
    const expected = new Date(Date.UTC(y, m, Math.min(d, new Date(Date.UTC(y, m + 1, 0)).getUTCDate()) - 1)).toISOString().slice(0, 10);
    for (const k of ['PX-36', 'PX-37', 'PX-38']) expect(due[k]).toBe(expected);
  });

  it('never backwards: 409 PHASE_BACKWARDS', async () => {
    const tt = await taskTenant(t);
    const res = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions/${tt.subscriptionId}`,
      token: tt.admin.accessToken,
      payload: { phase: 'setup' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ code: string }>().code).toBe('PHASE_BACKWARDS');
  });
});

describe('occurrence roll-over', () => {
  it('opens every started period once, across month ends; a second run opens nothing', async () => {
    const tt = await taskTenant(t, { startsOn: '2025-11-30' }, { firstPeriodsOnly: true });
    const now = new Date('2026-03-05T12:00:00Z');
    const opened = await occurrences.openStartedPeriods(tt.admin.tenantId, tt.subscriptionId, now);
    // Monthly (PX-15, 17, 22): Dec 30, Jan 30, Feb 28 -> 9. Quarterly (PX-11, 13, 18) and
    // once+P3M (PX-10): Feb 28 -> 4.
    expect(opened).toBe(13);
    const monthly = await query<{ start: string; due: string }>(
      t.db.adminUrl,
      "SELECT t.period_start::text AS start, t.due_date::text AS due FROM task t JOIN activity a ON a.id = t.activity_id WHERE t.tenant_id = $1 AND a.key = 'PX-15' ORDER BY t.period_start",
      [tt.admin.tenantId],
    );
    expect(monthly).toEqual([
      { start: '2025-11-30', due: '2025-12-29' },
      { start: '2025-12-30', due: '2026-01-29' },
      { start: '2026-01-30', due: '2026-02-27' },
      { start: '2026-02-28', due: '2026-03-29' },
    ]);
    expect(await occurrences.openStartedPeriods(tt.admin.tenantId, tt.subscriptionId, now)).toBe(0);
    const [schedule] = await query<{ next: string }>(
      t.db.adminUrl,
      'SELECT next_period_on::text AS next FROM occurrence_schedule WHERE subscription_id = $1',
      [tt.subscriptionId],
    );
    expect(schedule?.next).toBe('2026-03-30');
  });

  it('a leap year: a period anchored on Jan 31 opens on Feb 29', async () => {
    const tt = await taskTenant(t, { startsOn: '2028-01-31' });
    await occurrences.openStartedPeriods(tt.admin.tenantId, tt.subscriptionId, new Date('2028-03-01T00:00:00Z'));
    const rows = await query<{ start: string; due: string }>(
      t.db.adminUrl,
      "SELECT t.period_start::text AS start, t.due_date::text AS due FROM task t JOIN activity a ON a.id = t.activity_id WHERE t.tenant_id = $1 AND a.key = 'PX-22' ORDER BY t.period_start",
      [tt.admin.tenantId],
    );
    expect(rows).toEqual([
      { start: '2028-01-31', due: '2028-02-28' },
      { start: '2028-02-29', due: '2028-03-30' },
    ]);
  });

  it('a missed occurrence stays overdue while the next one opens on time', async () => {
    const tt = await taskTenant(t, { startsOn: '2025-01-01' }, { firstPeriodsOnly: true });
    await occurrences.openStartedPeriods(tt.admin.tenantId, tt.subscriptionId, new Date('2025-03-02T00:00:00Z'));
    const rows = await query<{ start: string; status: string }>(
      t.db.adminUrl,
      "SELECT t.period_start::text AS start, t.status FROM task t JOIN activity a ON a.id = t.activity_id WHERE t.tenant_id = $1 AND a.key = 'PX-22' ORDER BY t.period_start",
      [tt.admin.tenantId],
    );
    expect(rows.map((r) => r.start)).toEqual(['2025-01-01', '2025-02-01', '2025-03-01']);
    expect(rows.every((r) => r.status === 'todo')).toBe(true);
  });

  it('the worker entry point visits every tenant through the schedule, each in its own scope', async () => {
    const a = await taskTenant(t, { startsOn: '2024-01-15' }, { firstPeriodsOnly: true });
    const b = await taskTenant(t, { startsOn: '2024-01-15' }, { firstPeriodsOnly: true });
    const result = await occurrences.openAllStartedPeriods(new Date('2024-02-16T00:00:00Z'));
    expect(result.tasksOpened).toBeGreaterThanOrEqual(2 * 3);
    for (const tenantId of [a.admin.tenantId, b.admin.tenantId]) {
      expect(
        await query(
          t.db.adminUrl,
          "SELECT 1 FROM task t JOIN activity a ON a.id = t.activity_id WHERE t.tenant_id = $1 AND a.key = 'PX-22' AND t.period_start = '2024-02-15'",
          [tenantId],
        ),
      ).toHaveLength(1);
    }
  });
});
