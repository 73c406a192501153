import { Inject, Injectable } from '@nestjs/common';
import {
  diffCatalogs,
  versionContent,
  versionsByRecency,
  type ActivityChanges,
  type Phase,
  type RankedVersion,
  type VersionActivity,
} from '../catalog';
import { DOMAIN_EVENT_SINK, isUuid, type DomainEvent, type DomainEventSink } from '../core';
import { TenantDb } from '../db';
import { todayIn } from './schedule';
import { firstTask } from './subscriptions.service';
import { SubscriptionRepository } from './subscription.repository';
import { canTransition, TASK_STATUSES, type TaskStatus } from './task-status';
import type { CatalogChange } from './task.entity';
import { TaskRepository } from './task.repository';
import { SubscriptionNotFoundError, UpgradeNotNewerError, UpgradeVersionNotFoundError, SubscriptionEndedError } from './tasks.errors';

/** Who upgrades: an admin through the API, or the worker (no user). */
export interface UpgradeScope {
  readonly tenantId: string;
  readonly userId: string | null;
  readonly requestId?: string;
}

/** A customer duty the upgrade adds: one task is created for it. */
export interface UpgradeAddedDuty {
  readonly activityKey: string;
  readonly title: string;
  readonly section: string;
  readonly phase: Phase;
  readonly dueDate: string | null;
  /** The created task (apply only). */
  readonly taskId?: string;
}

/** A duty that leaves the customer: its tasks still open or waiting for review are withdrawn. */
export interface UpgradeWithdrawnDuty {
  readonly activityKey: string;
  readonly title: string;
  /** `removed`: not in the new version; `provider`: the customer no longer holds R or A. */
  readonly reason: 'removed' | 'provider';
  readonly taskIds: readonly string[];
}

/** A kept duty whose title or letters changed: its tasks are kept and flagged. */
export interface UpgradeChangedDuty {
  readonly activityKey: string;
  readonly title: string;
  readonly changes: ActivityChanges;
  readonly taskIds: readonly string[];
}

export interface UpgradeResult {
  readonly subscriptionId: string;
  readonly catalogKey: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  /** False for a preview, and for an upgrade with nothing to do (already on the version). */
  readonly applied: boolean;
  readonly added: readonly UpgradeAddedDuty[];
  readonly withdrawn: readonly UpgradeWithdrawnDuty[];
  readonly changed: readonly UpgradeChangedDuty[];
}

/** An upgrade as counts of customer duties (the mail announcing a newer version, libs/reminders). */
export interface UpgradeSummary {
  readonly catalogKey: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  /** Duties that become the customer's (a task each). */
  readonly added: number;
  /** Duties that leave the customer (removed, or now the provider's). */
  readonly withdrawn: number;
  /** Kept duties whose title or letters changed (their tasks are flagged). */
  readonly changed: number;
}

/** What moving from one version to another means for a subscription's tasks; the same for every tenant. */
interface VersionStep {
  /** Customer duty -> customer duty: the tasks follow to the new activity (change: title or letters changed). */
  readonly moves: readonly { from: VersionActivity; to: VersionActivity; changes: ActivityChanges | null }[];
  readonly withdraw: readonly { from: VersionActivity; reason: 'removed' | 'provider' }[];
  readonly add: readonly VersionActivity[];
}

/** The fields whose change flags a kept task (section, phase or cadence alone do not change the duty). */
const flags = (c: ActivityChanges): boolean => c.title !== undefined || c.raci !== undefined;

/** The statuses a catalog upgrade withdraws from: the status machine's `withdraw` for the system. */
const WITHDRAWABLE: readonly TaskStatus[] = TASK_STATUSES.filter((s) => canTransition(s, 'withdraw', 'system').ok);

/** Task ids grouped by a key, each group in id order (the order the upgrade's result lists them). */
function idsBy(rows: readonly { id: string; key: string }[]): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const r of rows) {
    const ids = by.get(r.key);
    if (ids) ids.push(r.id);
    else by.set(r.key, [r.id]);
  }
  for (const ids of by.values()) ids.sort();
  return by;
}

/**
 * Catalog upgrades of a subscription: preview (GET) and apply (POST), each in one unit of work.
 * The step between two versions is computed once (versions are immutable) and applied to the
 * subscription's tasks with a handful of set-based statements.
 */
@Injectable()
export class CatalogUpgradeService {
  private readonly steps = new Map<string, Promise<VersionStep>>();

  constructor(
    private readonly db: TenantDb,
    private readonly subscriptions: SubscriptionRepository,
    private readonly tasks: TaskRepository,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
  ) {}

  preview(scope: UpgradeScope, subscriptionId: string, toVersion: string): Promise<UpgradeResult> {
    return this.run(scope, subscriptionId, toVersion, false);
  }

  apply(scope: UpgradeScope, subscriptionId: string, toVersion: string): Promise<UpgradeResult> {
    return this.run(scope, subscriptionId, toVersion, true);
  }

  /**
   * What upgrading from one version to another would do, as counts (from the same step as
   * preview and apply, i.e. diffCatalogs). Null when `toVersionId` is not the catalog's latest
   * version (a newer one was published since: its own mail covers it) or is not newer than
   * `fromVersionId`. In the scope's unit of work (a private catalog is visible to its tenant only).
   */
  summary(scope: UpgradeScope, catalogId: string, fromVersionId: string, toVersionId: string): Promise<UpgradeSummary | null> {
    return this.db.run(scope, async () => {
      const versions = await versionsByRecency(this.db.em, catalogId);
      const from = versions.find((v) => v.id === fromVersionId);
      const to = versions.at(-1);
      if (!from || !to || to.id !== toVersionId || to.rank <= from.rank) return null;
      const step = await this.step(from, to);
      return {
        catalogKey: to.catalogKey,
        fromVersion: from.version,
        toVersion: to.version,
        added: step.add.length,
        withdrawn: step.withdraw.length,
        changed: step.moves.filter((m) => m.changes !== null).length,
      };
    });
  }

  private run(scope: UpgradeScope, subscriptionId: string, toVersion: string, apply: boolean): Promise<UpgradeResult> {
    if (!isUuid(subscriptionId)) return Promise.reject(new SubscriptionNotFoundError());
    return this.db.run(scope, async () => {
      // The subscription row is locked while applying: two upgrades at once take turns, and the
      // second finds the subscription on the new version (nothing to do).
      const sub = await this.subscriptions.find(scope.tenantId, subscriptionId, apply);
      if (!sub) throw new SubscriptionNotFoundError();
      if (sub.endedAt) throw new SubscriptionEndedError(sub.endedAt.toISOString());
      const versions = await versionsByRecency(this.db.em, sub.catalogId);
      const from = versions.find((v) => v.id === sub.catalogVersionId);
      if (!from) throw new Error(`subscription ${sub.id}: its version is not visible`);
      const to = versions.find((v) => v.version === toVersion);
      if (!to) throw new UpgradeVersionNotFoundError(from.catalogKey, toVersion);
      const base = { subscriptionId: sub.id, catalogKey: from.catalogKey, fromVersion: from.version, toVersion: to.version };
      if (to.id === from.id) return { ...base, applied: false, added: [], withdrawn: [], changed: [] };
      if (to.rank < from.rank) throw new UpgradeNotNewerError(from.version, to.version);

      const step = await this.step(from, to);
      const newTasks = step.add.map((a) => ({
        activity: a,
        ...firstTask({ phase: a.phase, cadence: a.cadence ?? 'once' }, sub.phase, sub.phaseStartedOn, sub.startsOn),
      }));
      const addedView = (taskIds?: Map<string, string>): UpgradeAddedDuty[] =>
        newTasks.map((n) => ({
          activityKey: n.activity.key,
          title: n.activity.title,
          section: n.activity.section,
          phase: n.activity.phase,
          dueDate: n.dueDate,
          ...(taskIds?.get(n.activity.id) ? { taskId: taskIds.get(n.activity.id) } : {}),
        }));
      const outcome = (withdrawnIds: Map<string, string[]>, movedIds: Map<string, string[]>) => ({
        withdrawn: step.withdraw.map((w): UpgradeWithdrawnDuty => ({
          activityKey: w.from.key,
          title: w.from.title,
          reason: w.reason,
          taskIds: withdrawnIds.get(w.from.id) ?? [],
        })),
        changed: step.moves.flatMap((m): UpgradeChangedDuty[] =>
          m.changes ? [{ activityKey: m.to.key, title: m.to.title, changes: m.changes, taskIds: movedIds.get(m.from.id) ?? [] }] : [],
        ),
      });

      if (!apply) {
        // Preview: what apply would touch, read without locks and checked against the status machine.
        const tasks = await this.tasks.forUpgrade(scope.tenantId, sub.id, false);
        const { withdrawn, changed } = outcome(
          idsBy(tasks.filter((t) => WITHDRAWABLE.includes(t.status)).map((t) => ({ id: t.id, key: t.activityId }))),
          idsBy(tasks.map((t) => ({ id: t.id, key: t.activityId }))),
        );
        return { ...base, applied: false, added: addedView(), withdrawn, changed };
      }

      // Apply: each statement locks and changes the rows it answers, so the tasks are not read first.
      // Withdraw: the status machine's system action (approved, not applicable and already
      // withdrawn tasks stay as they are).
      const withdrawnRows = await this.tasks.withdrawActivities(
        scope.tenantId,
        sub.id,
        step.withdraw.map((w) => w.from.id),
        WITHDRAWABLE,
      );
      // Kept duties: their tasks now point at the new version's activity; changed ones are flagged.
      const at = new Date().toISOString();
      const movedRows = await this.tasks.moveToActivities(
        scope.tenantId,
        sub.id,
        step.moves.map((m) => ({
          from: m.from.id,
          to: m.to.id,
          change: m.changes ? ({ fromVersion: from.version, toVersion: to.version, at, changes: m.changes } satisfies CatalogChange) : null,
        })),
      );
      const { withdrawn, changed } = outcome(
        idsBy(withdrawnRows.map((r) => ({ id: r.id, key: r.activityId }))),
        idsBy(movedRows.map((r) => ({ id: r.id, key: r.fromActivityId }))),
      );
      // New duties: their first task by the phase rules (firstTask), as at subscription.
      const created = await this.tasks.insertManyReturning(
        scope.tenantId,
        sub.id,
        newTasks.map((n) => ({ activityId: n.activity.id, periodStart: n.periodStart, periodEnd: n.periodEnd, dueDate: n.dueDate })),
      );
      // The roll-over looks at the subscription again: the new version's duties have their own periods.
      await this.subscriptions.changeVersion(scope.tenantId, sub.id, to.id, todayIn(sub.timezone));

      const added = addedView(created);
      await this.publishAll(scope, sub.id, from, to, { added, withdrawn, changed });
      return { ...base, applied: true, added, withdrawn, changed };
    });
  }

  /** The audit record: one event on the subscription, one on each task the upgrade touched (its history shows it). */
  private async publishAll(
    scope: UpgradeScope,
    subscriptionId: string,
    from: RankedVersion,
    to: RankedVersion,
    r: Pick<UpgradeResult, 'added' | 'withdrawn' | 'changed'>,
  ): Promise<void> {
    const versions = { catalogKey: from.catalogKey, fromVersion: from.version, toVersion: to.version };
    const events: DomainEvent[] = [];
    const publish = (type: string, id: string, action: string, data: Record<string, unknown>): void => {
      events.push({
        action,
        tenantId: scope.tenantId,
        actorId: scope.userId,
        entity: { type, id },
        data: { ...versions, ...data },
        ...(scope.requestId ? { requestId: scope.requestId } : {}),
      });
    };
    publish('subscription', subscriptionId, 'subscription.upgraded', {
      added: r.added.map((a) => a.activityKey),
      withdrawn: r.withdrawn.map((w) => w.activityKey),
      changed: r.changed.map((c) => c.activityKey),
      tasksCreated: r.added.filter((a) => a.taskId).length,
      tasksWithdrawn: r.withdrawn.reduce((n, w) => n + w.taskIds.length, 0),
      tasksFlagged: r.changed.reduce((n, c) => n + c.taskIds.length, 0),
    });
    for (const a of r.added)
      if (a.taskId)
        publish('task', a.taskId, 'task.created', {
          subscriptionId,
          activityKey: a.activityKey,
          dueDate: a.dueDate,
          by: 'catalog_upgrade',
        });
    for (const w of r.withdrawn)
      for (const id of w.taskIds) publish('task', id, 'task.withdrawn', { subscriptionId, activityKey: w.activityKey, reason: w.reason });
    for (const c of r.changed)
      for (const id of c.taskIds)
        publish('task', id, 'task.catalog_changed', { subscriptionId, activityKey: c.activityKey, changes: c.changes });
    // One append for them all: two round trips, not two per event (bench:catalog-upgrade).
    await this.events.publishAll(this.db.em, events);
  }

  /** The step between two versions, computed once per pair (versions are immutable). */
  private step(from: RankedVersion, to: RankedVersion): Promise<VersionStep> {
    const key = `${from.id}>${to.id}`;
    let step = this.steps.get(key);
    if (!step) {
      if (this.steps.size >= 64) this.steps.clear();
      step = this.computeStep(from.id, to.id);
      this.steps.set(key, step);
      step.catch(() => this.steps.delete(key));
    }
    return step;
  }

  private async computeStep(fromId: string, toId: string): Promise<VersionStep> {
    const before = await versionContent(this.db.em, fromId);
    const after = await versionContent(this.db.em, toId);
    const diff = diffCatalogs(before, after);
    const fromByKey = new Map(before.activities.map((a) => [a.key, a]));
    const toByKey = new Map(after.activities.map((a) => [a.key, a]));
    const changesOf = new Map(diff.changed.map((c) => [`${c.fromKey}>${c.toKey}`, c.changes]));
    const moves: VersionStep['moves'][number][] = [];
    const withdraw: VersionStep['withdraw'][number][] = [];
    const add: VersionActivity[] = [];
    const matchedTo = new Set<string>();
    for (const m of diff.matches) {
      const a = fromByKey.get(m.fromKey);
      const b = toByKey.get(m.toKey);
      if (!a || !b) continue;
      matchedTo.add(b.key);
      if (a.customerDuty && b.customerDuty) {
        const changes = changesOf.get(`${m.fromKey}>${m.toKey}`);
        moves.push({ from: a, to: b, changes: changes && flags(changes) ? changes : null });
      } else if (a.customerDuty) withdraw.push({ from: a, reason: 'provider' });
      else if (b.customerDuty) add.push(b);
    }
    for (const a of before.activities)
      if (a.customerDuty && !diff.matches.some((m) => m.fromKey === a.key)) withdraw.push({ from: a, reason: 'removed' });
    for (const b of after.activities) if (b.customerDuty && !matchedTo.has(b.key)) add.push(b);
    const position = new Map(after.activities.map((a, i) => [a.id, i]));
    add.sort((x, y) => (position.get(x.id) ?? 0) - (position.get(y.id) ?? 0));
    return { moves, withdraw, add };
  }
}
