import { Inject, Injectable } from '@nestjs/common';
import {
  catalogVersionsById,
  CatalogNotFoundError,
  customerDuties,
  dutiesById,
  findCatalogVersion,
  PHASES,
  providerCommitments,
  type DutyRef,
  type Phase,
} from '../catalog';
import { DOMAIN_EVENT_SINK, isUuid, type DomainEventSink, type TenantContext } from '../core';
import { TenantDb } from '../db';
import { nextPeriodStart, occurrence, phaseIndex, startedOccurrences, todayIn, type IsoDate } from './schedule';
import type { SubscriptionEntity } from './subscription.entity';
import { SubscriptionRepository } from './subscription.repository';
import { TaskRepository, type NewTask } from './task.repository';
import { canTransition } from './task-status';
import { PhaseBackwardsError, SubscriptionEndedError, SubscriptionExistsError, SubscriptionNotFoundError } from './tasks.errors';
import { TENANT_TIME_ZONES, type TenantTimeZones } from './tenant-time-zones';
import { iso, type ProviderCommitmentView, type SubscriptionView } from './tasks.views';

export interface SubscribeInput {
  catalogKey: string;
  version?: string;
  startsOn: IsoDate;
  phase?: Phase;
  /** Default: the tenant's time zone. */
  timezone?: string;
}

/** What the first task of a duty needs to know about it. */
export type DutyRow = Pick<DutyRef, 'phase' | 'cadence'>;

/**
 * The first task of a duty when its phase is reached. Phases before the subscription's
 * current one are confirmed at startsOn (due that day); the current phase follows the cadence
 * from the day it started; later phases wait, with no due date.
 */
export function firstTask(
  duty: DutyRow,
  currentPhase: Phase,
  phaseStartedOn: Partial<Record<Phase, string>>,
  startsOn: IsoDate,
): { periodStart: IsoDate; periodEnd: IsoDate | null; dueDate: IsoDate | null } {
  const anchor = phaseStartedOn[duty.phase];
  if (phaseIndex(duty.phase) > phaseIndex(currentPhase) || anchor === undefined)
    return { periodStart: startsOn, periodEnd: null, dueDate: null };
  const first = occurrence(duty.cadence, anchor, 0);
  if (phaseIndex(duty.phase) < phaseIndex(currentPhase) && anchor === startsOn) return { ...first, dueDate: startsOn };
  return first;
}

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly db: TenantDb,
    private readonly subscriptions: SubscriptionRepository,
    private readonly tasks: TaskRepository,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    @Inject(TENANT_TIME_ZONES) private readonly zones: TenantTimeZones,
  ) {}

  /**
   * Adopts a catalog version: one task per customer duty, in one unit of work. Without a time zone,
   * the subscription takes the tenant's.
   */
  async subscribe(ctx: TenantContext, input: SubscribeInput): Promise<SubscriptionView & { tasksCreated: number }> {
    const phase = input.phase ?? 'operations';
    return this.db.run(ctx, async () => {
      const timezone = input.timezone ?? (await this.zones.zoneForNewSubscription(ctx));
      const version = await findCatalogVersion(this.db.em, input.catalogKey, input.version);
      if (!version) throw new CatalogNotFoundError(input.catalogKey, input.version);
      // Every phase up to the starting one counts as started on startsOn.
      const phaseStartedOn: Partial<Record<Phase, string>> = {};
      for (const p of PHASES.slice(0, phaseIndex(phase) + 1)) phaseStartedOn[p] = input.startsOn;
      const id = await this.subscriptions.insert({
        tenantId: ctx.tenantId,
        catalogId: version.catalogId,
        catalogVersionId: version.id,
        phase,
        startsOn: input.startsOn,
        timezone,
        phaseStartedOn,
        createdBy: ctx.userId,
      });
      if (!id) throw new SubscriptionExistsError(input.catalogKey);
      const duties = await customerDuties(this.db.em, version.id);
      // Every period that has already started exists at once (a start date in the past), as the
      // roll-over would open them: not an hour later, and not as a second wave of reminders.
      const today = todayIn(timezone);
      const rows: NewTask[] = [];
      let next: IsoDate | null = null;
      for (const d of duties) {
        rows.push({ activityId: d.activityId, ...firstTask(d, phase, phaseStartedOn, input.startsOn) });
        const anchor = phaseStartedOn[d.phase];
        if (anchor === undefined || phaseIndex(d.phase) > phaseIndex(phase)) continue;
        for (const { k, occurrence } of startedOccurrences(d.cadence, anchor, today)) {
          if (k > 0) rows.push({ activityId: d.activityId, ...occurrence });
        }
        const upcoming = nextPeriodStart(d.cadence, anchor, today);
        if (upcoming !== null && (next === null || upcoming < next)) next = upcoming;
      }
      const created = await this.tasks.insertMany(ctx.tenantId, id, rows);
      await this.subscriptions.schedule(id, ctx.tenantId, next ?? input.startsOn);
      await this.events.publish(this.db.em, {
        action: 'subscription.created',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'subscription', id },
        data: {
          catalogKey: input.catalogKey,
          versionId: version.id,
          phase,
          startsOn: input.startsOn,
          timezone,
          tasksCreated: created.length,
        },
        requestId: ctx.requestId,
      });
      return { ...(await this.view(await this.load(ctx, id))), tasksCreated: created.length };
    });
  }

  /**
   * Sets the time zone of every subscription of the tenant (the tenant's zone changed: its
   * subscriptions follow it). Runs in the caller's unit of work; answers how many changed.
   */
  async alignTimeZones(ctx: TenantContext, timezone: string): Promise<number> {
    return this.db.run(ctx, () => this.subscriptions.setTimeZoneOfAll(ctx.tenantId, timezone));
  }

  async list(ctx: TenantContext): Promise<SubscriptionView[]> {
    return this.db.run(ctx, async () => this.views(await this.subscriptions.list(ctx.tenantId)));
  }

  async get(ctx: TenantContext, id: string): Promise<SubscriptionView> {
    return this.db.run(ctx, async () => this.view(await this.load(ctx, id)));
  }

  /**
   * Moves the lifecycle forward. The phases now reached start today (in the subscription's time
   * zone): their duties get due dates from that day.
   */
  async changePhase(ctx: TenantContext, id: string, phase: Phase): Promise<SubscriptionView> {
    return this.db.run(ctx, async () => {
      const current = await this.load(ctx, id, true);
      if (current.endedAt) throw new SubscriptionEndedError(iso(current.endedAt));
      if (phaseIndex(phase) < phaseIndex(current.phase)) throw new PhaseBackwardsError(current.phase, phase, PHASES);
      if (phase === current.phase) return this.view(current);
      const today = todayIn(current.timezone);
      const started = { ...current.phaseStartedOn };
      for (const p of PHASES.slice(phaseIndex(current.phase) + 1, phaseIndex(phase) + 1)) started[p] = today;
      await this.subscriptions.changePhase(ctx.tenantId, id, phase, started);
      const waiting = await this.tasks.waitingForPhase(ctx.tenantId, id);
      const duties = await dutiesById(
        this.db.em,
        waiting.map((w) => w.activityId),
      );
      for (const w of waiting) {
        const duty = duties.get(w.activityId);
        if (!duty) continue;
        const task = firstTask(duty, phase, started, current.startsOn);
        if (task.dueDate === null) continue;
        await this.tasks.update(ctx.tenantId, w.id, { periodStart: task.periodStart, periodEnd: task.periodEnd, dueDate: task.dueDate });
      }
      await this.subscriptions.schedule(id, ctx.tenantId, today);
      await this.events.publish(this.db.em, {
        action: 'subscription.phase_changed',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'subscription', id },
        data: { from: current.phase, to: phase, startedOn: today },
        requestId: ctx.requestId,
      });
      return this.view(await this.load(ctx, id));
    });
  }

  /**
   * Ends the subscription (admins): its tasks still open or waiting for review become `withdrawn`
   * (the status machine's system action: not open, never overdue or reminded, evidence and
   * history kept), no period opens any more, one `subscription.ended` event and one
   * `task.withdrawn` per task. Idempotent: ending an ended subscription changes and records nothing.
   */
  async end(ctx: TenantContext, id: string): Promise<SubscriptionView & { tasksWithdrawn: number }> {
    return this.db.run(ctx, async () => {
      const current = await this.load(ctx, id, true);
      if (current.endedAt) return { ...(await this.view(current)), tasksWithdrawn: 0 };
      const tasks = await this.tasks.forUpgrade(ctx.tenantId, id, true);
      const withdrawIds = tasks.filter((t) => canTransition(t.status, 'withdraw', 'system').ok).map((t) => t.id);
      await this.tasks.setStatus(ctx.tenantId, withdrawIds, 'withdrawn');
      await this.subscriptions.markEnded(ctx.tenantId, id, ctx.userId);
      await this.subscriptions.unschedule(ctx.tenantId, id);
      await this.events.publish(this.db.em, {
        action: 'subscription.ended',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'subscription', id },
        data: { tasksWithdrawn: withdrawIds.length },
        requestId: ctx.requestId,
      });
      for (const taskId of withdrawIds)
        await this.events.publish(this.db.em, {
          action: 'task.withdrawn',
          tenantId: ctx.tenantId,
          actorId: ctx.userId,
          entity: { type: 'task', id: taskId },
          data: { subscriptionId: id, reason: 'subscription_ended' },
          requestId: ctx.requestId,
        });
      return { ...(await this.view(await this.load(ctx, id))), tasksWithdrawn: withdrawIds.length };
    });
  }

  /** Provider duties where the customer is Consulted or Informed: shown read-only. */
  async providerCommitments(ctx: TenantContext, id: string): Promise<ProviderCommitmentView[]> {
    return this.db.run(ctx, async () => {
      const sub = await this.load(ctx, id);
      const rows = await providerCommitments(this.db.em, sub.catalogVersionId);
      return rows.map((r) => ({
        activityKey: r.key,
        title: r.title,
        section: r.section,
        phase: r.phase,
        raci: r.raci,
        raw: r.raw,
        certain: r.certain,
        note: r.note,
      }));
    });
  }

  private async load(ctx: TenantContext, id: string, lock = false): Promise<SubscriptionEntity> {
    if (!isUuid(id)) throw new SubscriptionNotFoundError();
    const row = await this.subscriptions.find(ctx.tenantId, id, lock);
    if (!row) throw new SubscriptionNotFoundError();
    return row;
  }

  private async view(s: SubscriptionEntity): Promise<SubscriptionView> {
    const [view] = await this.views([s]);
    if (!view) throw new Error('subscription: no view');
    return view;
  }

  /** Subscriptions as clients see them: named by catalog key and version (read from the catalog). */
  private async views(rows: readonly SubscriptionEntity[]): Promise<SubscriptionView[]> {
    const versions = await catalogVersionsById(
      this.db.em,
      rows.map((r) => r.catalogVersionId),
    );
    return rows.map((r) => {
      const v = versions.get(r.catalogVersionId);
      return {
        id: r.id,
        catalogKey: v?.catalogKey ?? '',
        catalogVersion: v?.version ?? '',
        phase: r.phase,
        startsOn: r.startsOn,
        timezone: r.timezone,
        phaseStartedOn: r.phaseStartedOn,
        createdAt: iso(r.createdAt),
        updatedAt: iso(r.updatedAt),
        endedAt: r.endedAt ? iso(r.endedAt) : null,
      };
    });
  }
}
