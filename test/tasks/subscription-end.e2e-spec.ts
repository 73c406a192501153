import { OccurrencesService } from '../../libs/tasks';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { giveEvidence, taskTenant } from './setup';

// Issue 10: an admin ends a subscription; its open tasks become withdrawn, nothing more opens.
let t: TestApp;
let call: Caller;
beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '10000/1h' });
  call = caller(t.app);
});
afterAll(async () => t.close());

const end = (as: Account, tenantId: string, id: string) =>
  call({ method: 'POST', url: `/api/v1/tenants/${tenantId}/subscriptions/${id}/end`, token: as.accessToken });

async function statuses(subscriptionId: string): Promise<Record<string, string>> {
  const rows = await query<{ id: string; status: string }>(t.db.adminUrl, 'SELECT id, status FROM task WHERE subscription_id = $1', [
    subscriptionId,
  ]);
  return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}

describe('POST /tenants/:tenantId/subscriptions/:id/end', () => {
  it('withdraws open and waiting tasks, keeps approved ones, evidence and history; no roll-over; idempotent', async () => {
    const tt = await taskTenant(t, { startsOn: '2026-01-01' }, { firstPeriodsOnly: true });
    const [approvedId, doneId, progressId] = Object.values(tt.tasks);
    await giveEvidence(t, approvedId!);
    await query(t.db.adminUrl, "UPDATE task SET status = 'approved' WHERE id = $1", [approvedId]);
    await giveEvidence(t, doneId!);
    await query(t.db.adminUrl, "UPDATE task SET status = 'done' WHERE id = $1", [doneId]);
    await giveEvidence(t, progressId!);
    const total = Object.keys(await statuses(tt.subscriptionId)).length;

    const res = await end(tt.admin, tt.admin.tenantId, tt.subscriptionId);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ id: string; endedAt: string | null; tasksWithdrawn: number }>();
    expect(body.id).toBe(tt.subscriptionId);
    expect(Date.parse(body.endedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(body.tasksWithdrawn).toBe(total - 1);

    const after = await statuses(tt.subscriptionId);
    expect(after[approvedId!]).toBe('approved');
    expect(
      Object.entries(after)
        .filter(([id]) => id !== approvedId)
        .every(([, s]) => s === 'withdrawn'),
    ).toBe(true);
    // Evidence counts and the task itself stay readable.
    const detail = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${progressId}`,
      token: tt.viewer.accessToken,
    });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({ status: 'withdrawn', evidenceCount: 1, overdue: false });
    // Not open: not overdue, not in the open list.
    const open = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks?status=todo,in_progress,rejected&limit=200`,
      token: tt.admin.accessToken,
    });
    expect(open.json<{ items: unknown[] }>().items).toHaveLength(0);

    // No further occurrence: the schedule row is gone and a roll-over years later opens nothing.
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM occurrence_schedule WHERE subscription_id = $1', [tt.subscriptionId])).toHaveLength(0);
    const opened = await t.app
      .get(OccurrencesService)
      .openStartedPeriods(tt.admin.tenantId, tt.subscriptionId, new Date('2029-06-01T12:00:00Z'));
    expect(opened).toBe(0);
    expect(Object.keys(await statuses(tt.subscriptionId))).toHaveLength(total);

    // Audit: one subscription.ended, one task.withdrawn per task.
    const events = await query<{ action: string; entity_id: string; data: Record<string, unknown> }>(
      t.db.adminUrl,
      "SELECT action, entity_id, data FROM audit_event WHERE tenant_id = $1 AND action IN ('subscription.ended', 'task.withdrawn') ORDER BY seq",
      [tt.admin.tenantId],
    );
    expect(events[0]).toMatchObject({ action: 'subscription.ended', entity_id: tt.subscriptionId, data: { tasksWithdrawn: total - 1 } });
    expect(events.filter((e) => e.action === 'task.withdrawn')).toHaveLength(total - 1);
    expect(events[1]?.data).toEqual({ subscriptionId: tt.subscriptionId, reason: 'subscription_ended' });

    // Again: the same answer, nothing withdrawn, no new event.
    const again = await end(tt.admin, tt.admin.tenantId, tt.subscriptionId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ endedAt: body.endedAt, tasksWithdrawn: 0 });
    const count = await query(t.db.adminUrl, "SELECT 1 FROM audit_event WHERE tenant_id = $1 AND action = 'subscription.ended'", [
      tt.admin.tenantId,
    ]);
    expect(count).toHaveLength(1);

    // An ended subscription no longer changes: 409 SUBSCRIPTION_ENDED.
    const phase = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions/${tt.subscriptionId}`,
      token: tt.admin.accessToken,
      payload: { phase: 'reversibility' },
    });
    expect([phase.statusCode, phase.json<{ code: string }>().code]).toEqual([409, 'SUBSCRIPTION_ENDED']);
    const upgrade = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions/${tt.subscriptionId}/upgrade?toVersion=2024-06-25`,
      token: tt.admin.accessToken,
    });
    expect([upgrade.statusCode, upgrade.json<{ code: string }>().code]).toEqual([409, 'SUBSCRIPTION_ENDED']);
    const listed = await call({ method: 'GET', url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions`, token: tt.viewer.accessToken });
    expect(listed.json<{ items: { id: string; endedAt: string | null }[] }>().items).toEqual([
      expect.objectContaining({ id: tt.subscriptionId, endedAt: body.endedAt }),
    ]);
  });

  it('admins only (403 FORBIDDEN); another tenant’s subscription 404; bad ids 404; nothing changes', async () => {
    const tt = await taskTenant(t);
    const outsider = await signup(t.app);
    const before = await statuses(tt.subscriptionId);
    for (const who of [tt.member, tt.auditor, tt.viewer]) {
      const res = await end(who, tt.admin.tenantId, tt.subscriptionId);
      expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([403, 'FORBIDDEN']);
    }
    const stranger = await end(outsider, tt.admin.tenantId, tt.subscriptionId);
    expect([stranger.statusCode, stranger.json<{ code: string }>().code]).toEqual([404, 'TENANT_NOT_FOUND']);
    // The subscription's id under the outsider's own tenant.
    const crossed = await end(outsider, outsider.tenantId, tt.subscriptionId);
    expect([crossed.statusCode, crossed.json<{ code: string }>().code]).toEqual([404, 'SUBSCRIPTION_NOT_FOUND']);
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const res = await end(tt.admin, tt.admin.tenantId, id);
      expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([404, 'SUBSCRIPTION_NOT_FOUND']);
    }
    const anonymous = await call({ method: 'POST', url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions/${tt.subscriptionId}/end` });
    expect(anonymous.statusCode).toBe(401);
    expect(await statuses(tt.subscriptionId)).toEqual(before);
    const [row] = await query<{ ended_at: Date | null }>(t.db.adminUrl, 'SELECT ended_at FROM subscription WHERE id = $1', [
      tt.subscriptionId,
    ]);
    expect(row?.ended_at).toBeNull();
  });
});
