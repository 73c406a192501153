import { Inject, Injectable } from '@nestjs/common';
import { customerDuties } from '../catalog';
import { DOMAIN_EVENT_SINK, type DomainEventSink } from '../core';
import { TenantDb } from '../db';
import { nextPeriodStart, phaseIndex, startedOccurrences, todayIn, type IsoDate } from './schedule';
import { SubscriptionRepository } from './subscription.repository';
import { TaskRepository, type NewTask } from './task.repository';

export interface OpenResult {
  readonly subscriptions: number;
  readonly tasksOpened: number;
}

/** The occurrence roll-over: opens the periods of recurring duties as they start. */
@Injectable()
export class OccurrencesService {
  constructor(
    private readonly db: TenantDb,
    private readonly subscriptions: SubscriptionRepository,
    private readonly tasks: TaskRepository,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
  ) {}

  /**
   * Opens, for one subscription, every period that has started and has no task yet (idempotent:
   * the task's unique key is the occurrence). Missed periods stay as they are (overdue); the
   * next one still opens on time, since periods follow the phase's start, not completions.
   */
  async openStartedPeriods(tenantId: string, subscriptionId: string, now: Date = new Date()): Promise<number> {
    return this.db.run({ tenantId, userId: null }, async () => {
      const sub = await this.subscriptions.find(tenantId, subscriptionId, true);
      if (!sub) return 0;
      // Ended (its schedule row is removed then; this covers a roll-over that read it just before).
      if (sub.endedAt) {
        await this.subscriptions.unschedule(tenantId, subscriptionId);
        return 0;
      }
      const today = todayIn(sub.timezone, now);
      const rows: NewTask[] = [];
      let next: IsoDate | null = null;
      for (const duty of await customerDuties(this.db.em, sub.catalogVersionId)) {
        const anchor = sub.phaseStartedOn[duty.phase];
        if (anchor === undefined || phaseIndex(duty.phase) > phaseIndex(sub.phase)) continue;
        // k = 0 was created with the subscription (or the phase change), with its own due date.
        for (const { k, occurrence } of startedOccurrences(duty.cadence, anchor, today)) {
          if (k > 0) rows.push({ activityId: duty.activityId, ...occurrence });
        }
        const upcoming = nextPeriodStart(duty.cadence, anchor, today);
        if (upcoming !== null && (next === null || upcoming < next)) next = upcoming;
      }
      const opened = (await this.tasks.insertMany(tenantId, subscriptionId, rows)).length;
      await this.subscriptions.schedule(subscriptionId, tenantId, next);
      if (opened > 0) {
        await this.events.publish(this.db.em, {
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
   * (a day of slack covers the time zones ahead of UTC), each in its own tenant-scoped unit of work.
   */
  async openAllStartedPeriods(now: Date = new Date()): Promise<OpenResult> {
    const until = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
    const due = await this.subscriptions.dueForRollover(until);
    let tasksOpened = 0;
    for (const s of due) tasksOpened += await this.openStartedPeriods(s.tenantId, s.subscriptionId, now);
    return { subscriptions: due.length, tasksOpened };
  }
}
