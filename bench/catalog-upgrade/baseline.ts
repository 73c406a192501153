import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { chainHash, type AuditRecord } from '../../libs/audit';
import { diffCatalogs, versionContent, type ActivityChanges, type VersionActivity } from '../../libs/catalog';
import { firstTask } from '../../libs/tasks';

/** What the upgrade does to every subscription, computed once (the app caches the same per version pair). */
export interface Step {
  readonly moves: { from: string; to: string; key: string; changes: ActivityChanges | null }[];
  readonly withdraw: { from: string; key: string; reason: 'removed' | 'provider' }[];
  readonly add: VersionActivity[];
}

/** The same rules as CatalogUpgradeService.computeStep, written out for the bare side. */
export async function computeStep(ds: DataSource, fromId: string, toId: string): Promise<Step> {
  const before = await versionContent(ds.manager, fromId);
  const after = await versionContent(ds.manager, toId);
  const diff = diffCatalogs(before, after);
  const a = new Map(before.activities.map((x) => [x.key, x]));
  const b = new Map(after.activities.map((x) => [x.key, x]));
  const changes = new Map(diff.changed.map((c) => [`${c.fromKey}>${c.toKey}`, c.changes]));
  const step: Step = { moves: [], withdraw: [], add: [] };
  const matchedTo = new Set<string>();
  for (const m of diff.matches) {
    const x = a.get(m.fromKey);
    const y = b.get(m.toKey);
    if (!x || !y) continue;
    matchedTo.add(y.key);
    if (x.customerDuty && y.customerDuty) {
      const c = changes.get(`${m.fromKey}>${m.toKey}`);
      step.moves.push({ from: x.id, to: y.id, key: y.key, changes: c && (c.title !== undefined || c.raci !== undefined) ? c : null });
    } else if (x.customerDuty) step.withdraw.push({ from: x.id, key: x.key, reason: 'provider' });
    else if (y.customerDuty) step.add.push(y);
  }
  for (const x of before.activities)
    if (x.customerDuty && !diff.matches.some((m) => m.fromKey === x.key)) step.withdraw.push({ from: x.id, key: x.key, reason: 'removed' });
  for (const y of after.activities) if (y.customerDuty && !matchedTo.has(y.key)) step.add.push(y);
  return step;
}

export interface BareContext {
  readonly step: Step;
  readonly catalogKey: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly toVersionId: string;
  readonly today: string;
}

/**
 * One tenant's upgrade as bare SQL on a superuser connection (no row-level security, no ORM, no
 * framework): the same rows inserted and updated as the app (tasks withdrawn, moved and flagged,
 * created; the subscription; its schedule; the audit events with their hash chain), in one
 * transaction. The step is known in advance; only the task ids come from the database.
 */
export async function bareUpgrade(c: Client, ctx: BareContext, tenantId: string, subscriptionId: string): Promise<void> {
  const { step } = ctx;
  // The audit trigger (a definer function, under the audit tables' forced row-level security) looks
  // for the head in the transaction's tenant: BEGIN and the tenant in one round trip, as the app's
  // unit of work does (the id is a uuid we generated).
  if (!/^[0-9a-f-]{36}$/.test(tenantId)) throw new Error(`not a uuid: ${tenantId}`);
  await c.query(`BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true)`);
  try {
    const withdrawn = await c.query<{ id: string; activity_id: string }>(
      `UPDATE task SET status = 'withdrawn', updated_at = now()
        WHERE tenant_id = $1 AND subscription_id = $2 AND activity_id = ANY($3::uuid[]) AND status IN ('todo', 'in_progress', 'done', 'rejected')
        RETURNING id, activity_id`,
      [tenantId, subscriptionId, step.withdraw.map((w) => w.from)],
    );
    const at = new Date().toISOString();
    const moved = await c.query<{ id: string; from_id: string }>(
      `UPDATE task t SET activity_id = m.to_id, catalog_change = coalesce(m.change, t.catalog_change), updated_at = now()
         FROM unnest($3::uuid[], $4::uuid[], $5::jsonb[]) AS m(from_id, to_id, change)
        WHERE t.tenant_id = $1 AND t.subscription_id = $2 AND t.activity_id = m.from_id
        RETURNING t.id, m.from_id, m.change IS NOT NULL AS flagged`,
      [
        tenantId,
        subscriptionId,
        step.moves.map((m) => m.from),
        step.moves.map((m) => m.to),
        step.moves.map((m) =>
          m.changes ? JSON.stringify({ fromVersion: ctx.fromVersion, toVersion: ctx.toVersion, at, changes: m.changes }) : null,
        ),
      ],
    );
    const news = step.add.map((a) => ({
      a,
      ...firstTask({ phase: a.phase, cadence: a.cadence ?? 'once' }, 'operations', { operations: '2026-01-01' }, '2026-01-01'),
    }));
    const created = await c.query<{ id: string; activity_id: string }>(
      `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, period_end, due_date)
       SELECT $1, $2, x.activity_id, x.period_start, x.period_end, x.due_date
         FROM unnest($3::uuid[], $4::date[], $5::date[], $6::date[]) AS x(activity_id, period_start, period_end, due_date)
       RETURNING id, activity_id`,
      [
        tenantId,
        subscriptionId,
        news.map((n) => n.a.id),
        news.map((n) => n.periodStart),
        news.map((n) => n.periodEnd),
        news.map((n) => n.dueDate),
      ],
    );
    await c.query('UPDATE subscription SET catalog_version_id = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      subscriptionId,
      ctx.toVersionId,
    ]);
    await c.query(
      `INSERT INTO occurrence_schedule (tenant_id, subscription_id, next_period_on) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, subscription_id) DO UPDATE SET next_period_on = EXCLUDED.next_period_on`,
      [tenantId, subscriptionId, ctx.today],
    );

    // The audit events the app records, chained onto the tenant's head.
    const versions = { catalogKey: ctx.catalogKey, fromVersion: ctx.fromVersion, toVersion: ctx.toVersion };
    const keyOf = new Map([...step.withdraw.map((w) => [w.from, w] as const)]);
    const changedByFrom = new Map(step.moves.filter((m) => m.changes).map((m) => [m.from, m]));
    const flagged = moved.rows.filter((r) => changedByFrom.has(r.from_id));
    const events: { action: string; id: string; type: string; data: Record<string, unknown> }[] = [
      {
        action: 'subscription.upgraded',
        type: 'subscription',
        id: subscriptionId,
        data: {
          ...versions,
          added: step.add.map((a) => a.key),
          withdrawn: step.withdraw.map((w) => w.key),
          changed: step.moves.filter((m) => m.changes).map((m) => m.key),
          tasksCreated: created.rows.length,
          tasksWithdrawn: withdrawn.rows.length,
          tasksFlagged: flagged.length,
        },
      },
      ...created.rows.map((r) => {
        const n = news.find((x) => x.a.id === r.activity_id);
        return {
          action: 'task.created',
          type: 'task',
          id: r.id,
          data: { ...versions, subscriptionId, activityKey: n?.a.key, dueDate: n?.dueDate, by: 'catalog_upgrade' },
        };
      }),
      ...withdrawn.rows.map((r) => {
        const w = keyOf.get(r.activity_id);
        return {
          action: 'task.withdrawn',
          type: 'task',
          id: r.id,
          data: { ...versions, subscriptionId, activityKey: w?.key, reason: w?.reason },
        };
      }),
      ...flagged.map((r) => {
        const m = changedByFrom.get(r.from_id);
        return {
          action: 'task.catalog_changed',
          type: 'task',
          id: r.id,
          data: { ...versions, subscriptionId, activityKey: m?.key, changes: m?.changes },
        };
      }),
    ];
    await c.query("INSERT INTO audit_head (tenant_id, seq, hash) VALUES ($1, 0, repeat('0', 64)) ON CONFLICT (tenant_id) DO NOTHING", [
      tenantId,
    ]);
    const [head] = (
      await c.query<{ seq: string; hash: string; at: Date }>(
        "SELECT seq, hash, date_trunc('milliseconds', clock_timestamp()) AS at FROM audit_head WHERE tenant_id = $1 FOR UPDATE",
        [tenantId],
      )
    ).rows;
    if (!head) throw new Error('no audit head');
    let prev = head.hash;
    const values: unknown[] = [];
    const rows: string[] = [];
    events.forEach((e, i) => {
      const record: AuditRecord = {
        tenantId,
        seq: Number(head.seq) + 1 + i,
        at: head.at.toISOString(),
        actorId: null,
        action: e.action,
        entity: { type: e.type, id: e.id },
        data: JSON.parse(JSON.stringify(e.data)) as Record<string, unknown>,
        requestId: null,
      };
      const hash = chainHash(prev, record);
      const n = values.length;
      rows.push(`(${Array.from({ length: 10 }, (_, k) => `$${n + k + 1}`).join(', ')})`);
      values.push(tenantId, record.seq, record.at, record.action, e.type, e.id, JSON.stringify(record.data), null, prev, hash);
      prev = hash;
    });
    await c.query(
      `INSERT INTO audit_event (tenant_id, seq, at, action, entity_type, entity_id, data, request_id, prev_hash, hash) VALUES ${rows.join(', ')}`,
      values,
    );
    await c.query('COMMIT');
  } catch (error) {
    await c.query('ROLLBACK');
    throw error;
  }
}
