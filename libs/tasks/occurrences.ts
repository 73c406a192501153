import type { DataSource } from 'typeorm';
import type { Cadence, Phase } from '../catalog';
import type { DomainEventSink } from '../core';
import { inScope } from '../db';
import { nextPeriodStart, phaseIndex, startedOccurrences, todayIn, type IsoDate } from './schedule';

interface Duty {
  activity_id: string;
  phase: Phase;
  cadence: Cadence;
}

export interface OpenResult {
  readonly subscriptions: number;
  readonly tasksOpened: number;
}

/**
 * Opens, for one subscription, every period that has started and has no task yet (idempotent:
 * the task's unique key is the occurrence). Missed periods stay as they are (overdue); the
 * next one still opens on time, since periods follow the phase's start, not completions.
 */
export async function openStartedPeriods(
  ds: DataSource,
  tenantId: string,
  subscriptionId: string,
  events: DomainEventSink,
  now: Date = new Date(),
): Promise<number> {
  return inScope(ds, { tenantId, userId: null }, async (em) => {
    const [sub] = await em.query<
      { phase: Phase; timezone: string; phase_started_on: Partial<Record<Phase, IsoDate>>; catalog_version_id: string }[]
    >('SELECT phase, timezone, phase_started_on, catalog_version_id FROM subscription WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [
      tenantId,
      subscriptionId,
    ]);
    if (!sub) return 0;
    const today = todayIn(sub.timezone, now);
    const duties = await em.query<Duty[]>(
      'SELECT id AS activity_id, phase, cadence FROM activity WHERE version_id = $1 AND customer_duty',
      [sub.catalog_version_id],
    );
    const rows: { activityId: string; periodStart: IsoDate; periodEnd: IsoDate | null; dueDate: IsoDate }[] = [];
    let next: IsoDate | null = null;
    for (const duty of duties) {
      const anchor = sub.phase_started_on[duty.phase];
      if (anchor === undefined || phaseIndex(duty.phase) > phaseIndex(sub.phase)) continue;
      // k = 0 was created with the subscription (or the phase change), with its own due date.
      for (const { k, occurrence } of startedOccurrences(duty.cadence, anchor, today)) {
        if (k > 0) rows.push({ activityId: duty.activity_id, ...occurrence, dueDate: occurrence.dueDate });
      }
      const upcoming = nextPeriodStart(duty.cadence, anchor, today);
      if (upcoming !== null && (next === null || upcoming < next)) next = upcoming;
    }
    let opened = 0;
    if (rows.length > 0) {
      const inserted = await em.query<{ id: string }[]>(
        `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, period_end, due_date)
         SELECT $1, $2, x.activity_id, x.period_start, x.period_end, x.due_date
           FROM unnest($3::uuid[], $4::date[], $5::date[], $6::date[]) AS x(activity_id, period_start, period_end, due_date)
         ON CONFLICT (tenant_id, subscription_id, activity_id, period_start) DO NOTHING
         RETURNING id`,
        [
          tenantId,
          subscriptionId,
          rows.map((r) => r.activityId),
          rows.map((r) => r.periodStart),
          rows.map((r) => r.periodEnd),
          rows.map((r) => r.dueDate),
        ],
      );
      opened = inserted.length;
    }
    await em.query('UPDATE occurrence_schedule SET next_period_on = $2 WHERE subscription_id = $1', [subscriptionId, next]);
    if (opened > 0) {
      await events.publish(em, {
        action: 'occurrences.opened',
        tenantId,
        actorId: null,
        entity: { type: 'subscription', id: subscriptionId },
        data: { tasksOpened: opened, today },
      });
    }
    return opened;
  });
}

/**
 * For the worker: every subscription, in every tenant, whose next period may have started
 * (a day of slack covers the time zones ahead of UTC), each in its own tenant-scoped transaction.
 */
export async function openAllStartedPeriods(ds: DataSource, events: DomainEventSink, now: Date = new Date()): Promise<OpenResult> {
  const due = await ds.query<{ subscription_id: string; tenant_id: string }[]>(
    "SELECT subscription_id, tenant_id FROM occurrence_schedule WHERE next_period_on <= ($1::timestamptz AT TIME ZONE 'UTC')::date + 1 ORDER BY next_period_on",
    [now.toISOString()],
  );
  let tasksOpened = 0;
  for (const s of due) tasksOpened += await openStartedPeriods(ds, s.tenant_id, s.subscription_id, events, now);
  return { subscriptions: due.length, tasksOpened };
}
