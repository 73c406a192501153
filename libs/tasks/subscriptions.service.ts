import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CatalogNotFoundError, PHASES, type Cadence, type Phase } from '../catalog';
import { ConflictError, DOMAIN_EVENT_SINK, isUuid, type DomainEventSink, type TenantContext } from '../core';
import { inScope } from '../db';
import { occurrence, phaseIndex, todayIn, type IsoDate } from './schedule';
import { SubscriptionNotFoundError } from './tasks.errors';
import { iso, type ProviderCommitmentView, type SubscriptionView } from './tasks.views';

export interface SubscribeInput {
  catalogKey: string;
  version?: string;
  startsOn: IsoDate;
  phase?: Phase;
  timezone?: string;
}

interface SubscriptionRow {
  id: string;
  catalog_key: string;
  catalog_version: string;
  catalog_version_id: string;
  phase: Phase;
  starts_on: string;
  timezone: string;
  phase_started_on: Partial<Record<Phase, string>>;
  created_at: Date;
  updated_at: Date;
}

export interface DutyRow {
  activity_id: string;
  phase: Phase;
  cadence: Cadence;
}

const SELECT_SUBSCRIPTION = `
  SELECT s.id, c.key AS catalog_key, v.version AS catalog_version, s.catalog_version_id, s.phase,
         s.starts_on::text AS starts_on, s.timezone, s.phase_started_on, s.created_at, s.updated_at
    FROM subscription s JOIN catalog_version v ON v.id = s.catalog_version_id JOIN catalog c ON c.id = s.catalog_id`;

const toView = (r: SubscriptionRow): SubscriptionView => ({
  id: r.id,
  catalogKey: r.catalog_key,
  catalogVersion: r.catalog_version,
  phase: r.phase,
  startsOn: r.starts_on,
  timezone: r.timezone,
  phaseStartedOn: r.phase_started_on,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

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
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
  ) {}

  /** Adopts a catalog version: one task per customer duty, in one transaction. */
  async subscribe(ctx: TenantContext, input: SubscribeInput): Promise<SubscriptionView & { tasksCreated: number }> {
    const phase = input.phase ?? 'operations';
    const timezone = input.timezone ?? 'UTC';
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const [version] = await em.query<{ id: string; catalog_id: string }[]>(
        `SELECT v.id, v.catalog_id FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id
          WHERE c.key = $1 AND ($2::text IS NULL OR v.version = $2) ORDER BY v.published_on DESC, v.version DESC LIMIT 1`,
        [input.catalogKey, input.version ?? null],
      );
      if (!version) throw new CatalogNotFoundError(input.catalogKey, input.version);
      // Every phase up to the starting one counts as started on startsOn.
      const phaseStartedOn: Partial<Record<Phase, string>> = {};
      for (const p of PHASES.slice(0, phaseIndex(phase) + 1)) phaseStartedOn[p] = input.startsOn;
      const inserted = await em.query<{ id: string }[]>(
        `INSERT INTO subscription (tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id, catalog_id) DO NOTHING RETURNING id`,
        [ctx.tenantId, version.catalog_id, version.id, phase, input.startsOn, timezone, JSON.stringify(phaseStartedOn), ctx.userId],
      );
      const id = inserted[0]?.id;
      if (!id)
        throw new ConflictError(
          'SUBSCRIPTION_EXISTS',
          `This tenant already subscribes to ${input.catalogKey}: change its phase with PATCH instead.`,
        );
      const duties = await em.query<DutyRow[]>(
        'SELECT id AS activity_id, phase, cadence FROM activity WHERE version_id = $1 AND customer_duty ORDER BY position',
        [version.id],
      );
      const rows = duties.map((d) => ({ duty: d, task: firstTask(d, phase, phaseStartedOn, input.startsOn) }));
      await em.query(
        `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, period_end, due_date)
         SELECT $1, $2, x.activity_id, x.period_start, x.period_end, x.due_date
           FROM unnest($3::uuid[], $4::date[], $5::date[], $6::date[]) AS x(activity_id, period_start, period_end, due_date)`,
        [
          ctx.tenantId,
          id,
          rows.map((r) => r.duty.activity_id),
          rows.map((r) => r.task.periodStart),
          rows.map((r) => r.task.periodEnd),
          rows.map((r) => r.task.dueDate),
        ],
      );
      await em.query('INSERT INTO occurrence_schedule (subscription_id, tenant_id, next_period_on) VALUES ($1, $2, $3)', [
        id,
        ctx.tenantId,
        input.startsOn,
      ]);
      await this.events.publish(em, {
        action: 'subscription.created',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'subscription', id },
        data: { catalogKey: input.catalogKey, versionId: version.id, phase, startsOn: input.startsOn, timezone, tasksCreated: rows.length },
        requestId: ctx.requestId,
      });
      return { ...toView(await this.load(em, ctx, id)), tasksCreated: rows.length };
    });
  }

  async list(ctx: TenantContext): Promise<SubscriptionView[]> {
    const rows = await inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, (em) =>
      em.query<SubscriptionRow[]>(`${SELECT_SUBSCRIPTION} WHERE s.tenant_id = $1 ORDER BY s.created_at, s.id`, [ctx.tenantId]),
    );
    return rows.map(toView);
  }

  async get(ctx: TenantContext, id: string): Promise<SubscriptionView> {
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => toView(await this.load(em, ctx, id)));
  }

  /**
   * Moves the lifecycle forward. The phases now reached start today (in the subscription's time
   * zone): their duties get due dates from that day.
   */
  async changePhase(ctx: TenantContext, id: string, phase: Phase): Promise<SubscriptionView> {
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const current = await this.load(em, ctx, id, true);
      if (phaseIndex(phase) < phaseIndex(current.phase)) {
        throw new ConflictError(
          'PHASE_BACKWARDS',
          `The subscription is in ${current.phase}: a lifecycle only moves forward (${PHASES.join(' -> ')}).`,
          { current: current.phase, wanted: phase },
        );
      }
      if (phase === current.phase) return toView(current);
      const today = todayIn(current.timezone);
      const started = { ...current.phase_started_on };
      for (const p of PHASES.slice(phaseIndex(current.phase) + 1, phaseIndex(phase) + 1)) started[p] = today;
      await em.query('UPDATE subscription SET phase = $3, phase_started_on = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2', [
        ctx.tenantId,
        id,
        phase,
        JSON.stringify(started),
      ]);
      const waiting = await em.query<(DutyRow & { task_id: string })[]>(
        `SELECT t.id AS task_id, a.id AS activity_id, a.phase, a.cadence FROM task t JOIN activity a ON a.id = t.activity_id
          WHERE t.tenant_id = $1 AND t.subscription_id = $2 AND t.due_date IS NULL AND t.status <> 'not_applicable'`,
        [ctx.tenantId, id],
      );
      for (const w of waiting) {
        const task = firstTask(w, phase, started, current.starts_on);
        if (task.dueDate === null) continue;
        await em.query(
          'UPDATE task SET period_start = $3, period_end = $4, due_date = $5, updated_at = now() WHERE tenant_id = $1 AND id = $2',
          [ctx.tenantId, w.task_id, task.periodStart, task.periodEnd, task.dueDate],
        );
      }
      await em.query('UPDATE occurrence_schedule SET next_period_on = $2 WHERE subscription_id = $1', [id, today]);
      await this.events.publish(em, {
        action: 'subscription.phase_changed',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'subscription', id },
        data: { from: current.phase, to: phase, startedOn: today },
        requestId: ctx.requestId,
      });
      return toView(await this.load(em, ctx, id));
    });
  }

  /** Provider duties where the customer is Consulted or Informed: shown read-only. */
  async providerCommitments(ctx: TenantContext, id: string): Promise<ProviderCommitmentView[]> {
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const sub = await this.load(em, ctx, id);
      const rows = await em.query<
        {
          key: string;
          title: string;
          section: string;
          phase: Phase;
          raci: Record<string, string>;
          raw: string;
          certain: boolean;
          note: string | null;
        }[]
      >(
        `SELECT a.key, a.title, s.key AS section, a.phase, a.raci, a.raw, a.certain, a.note
           FROM activity a JOIN catalog_section s ON s.id = a.section_id
          WHERE a.version_id = $1 AND NOT a.customer_duty AND (a.raci->>'customer') ~ '[CI]'
          ORDER BY a.position`,
        [sub.catalog_version_id],
      );
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

  private async load(em: EntityManager, ctx: TenantContext, id: string, lock = false): Promise<SubscriptionRow> {
    if (!isUuid(id)) throw new SubscriptionNotFoundError();
    const [row] = await em.query<SubscriptionRow[]>(
      `${SELECT_SUBSCRIPTION} WHERE s.tenant_id = $1 AND s.id = $2${lock ? ' FOR UPDATE OF s' : ''}`,
      [ctx.tenantId, id],
    );
    if (!row) throw new SubscriptionNotFoundError();
    return row;
  }
}
