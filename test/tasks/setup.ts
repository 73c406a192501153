import type { TestApp } from '../harness/app';
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';

export interface TaskTenant {
  admin: Account;
  member: Account;
  auditor: Account;
  viewer: Account;
  subscriptionId: string;
  /** Task id by activity key (the first occurrence of each duty). */
  tasks: Record<string, string>;
}

/**
 * A tenant with one account per role and a Private Exchange subscription: to the first reading
 * (version 2024-06-26, 20 customer duties), which the task tests' keys and counts describe, unless
 * `subscribe.version` says otherwise (the latest is the corrected catalog, 18 duties).
 */
export async function taskTenant(
  t: TestApp,
  subscribe: { startsOn: string; phase?: string; timezone?: string; version?: string } = { startsOn: '2026-01-01' },
  options: { firstPeriodsOnly?: boolean } = {},
): Promise<TaskTenant> {
  const call: Caller = caller(t.app);
  const admin = await signup(t.app);
  const [member, auditor, viewer] = [await signup(t.app), await signup(t.app), await signup(t.app)];
  await addMember(t.db.adminUrl, admin.tenantId, member.userId, 'member');
  await addMember(t.db.adminUrl, admin.tenantId, auditor.userId, 'auditor');
  await addMember(t.db.adminUrl, admin.tenantId, viewer.userId, 'viewer');
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/subscriptions`,
    token: admin.accessToken,
    payload: { catalogKey: 'ovhcloud-private-exchange', version: '2024-06-26', ...subscribe },
  });
  if (res.statusCode !== 201) throw new Error(`subscribe failed: ${res.statusCode} ${res.body}`);
  const subscriptionId = res.json<{ id: string }>().id;
  if (options.firstPeriodsOnly) {
    // Subscribing opens every period started by the real today; roll-over tests pin an earlier
    // clock, and list and upgrade tests count one task per duty, so they start from the first
    // periods only, as on the subscription's start date.
    await query(
      t.db.adminUrl,
      `DELETE FROM task x WHERE x.subscription_id = $1
          AND EXISTS (SELECT 1 FROM task f WHERE f.subscription_id = x.subscription_id AND f.activity_id = x.activity_id AND f.period_start < x.period_start)`,
      [subscriptionId],
    );
    await query(t.db.adminUrl, 'UPDATE occurrence_schedule SET next_period_on = $2 WHERE subscription_id = $1', [
      subscriptionId,
      subscribe.startsOn,
    ]);
  }
  const rows = await query<{ key: string; id: string }>(
    t.db.adminUrl,
    'SELECT a.key, t.id FROM task t JOIN activity a ON a.id = t.activity_id WHERE t.tenant_id = $1 ORDER BY t.period_start',
    [admin.tenantId],
  );
  const tasks: Record<string, string> = {};
  for (const r of rows) tasks[r.key] ??= r.id;
  return { admin, member, auditor, viewer, subscriptionId, tasks };
}

/** Evidence arrives through the evidence API; task tests only need its effect on the task. */
export async function giveEvidence(t: TestApp, taskId: string): Promise<void> {
  await query(
    t.db.adminUrl,
    "UPDATE task SET evidence_count = evidence_count + 1, last_evidence_at = clock_timestamp(), status = CASE WHEN status = 'todo' THEN 'in_progress' ELSE status END WHERE id = $1",
    [taskId],
  );
}
