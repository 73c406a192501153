import type { EntityManager } from 'typeorm';
import type { Logger } from '../core';
import { queueJob, type TracedJobData } from '../db';
import type { CatalogUpgradeService } from './catalog-upgrade.service';
import { SubscriptionNotFoundError, UpgradeNotNewerError, UpgradeVersionNotFoundError } from './tasks.errors';

/** The pg-boss queue of subscription upgrades run by the worker (retry settings: apps/worker/queues.ts). */
export const CATALOG_UPGRADE_QUEUE = 'catalog-upgrade';

/**
 * Subscriptions per job. One job per tenant would be 10,000 job rows (each a pg-boss insert, fetch
 * and completion) for a catalog correction; one job for all would hold one worker for minutes and
 * redo everything after a crash. 100 keeps the queue's overhead small next to the upgrades and a
 * retry short; each upgrade is still its own unit of work, so a retry redoes none that committed.
 */
export const UPGRADES_PER_JOB = 100;

export interface CatalogUpgradeJob extends TracedJobData {
  readonly toVersion: string;
  readonly subscriptions: readonly { readonly tenantId: string; readonly subscriptionId: string }[];
}

/** Queues upgrades of these subscriptions to `toVersion`, in batches, in the caller's transaction. */
export async function queueCatalogUpgrades(
  em: EntityManager,
  toVersion: string,
  subscriptions: readonly { tenantId: string; subscriptionId: string }[],
  options: { requestId?: string } = {},
): Promise<number> {
  let jobs = 0;
  for (let i = 0; i < subscriptions.length; i += UPGRADES_PER_JOB) {
    const job: CatalogUpgradeJob = { toVersion, subscriptions: subscriptions.slice(i, i + UPGRADES_PER_JOB) };
    await queueJob(em, CATALOG_UPGRADE_QUEUE, job, { requestId: options.requestId ?? null });
    jobs++;
  }
  return jobs;
}

export interface CatalogUpgradeJobResult {
  readonly applied: number;
  /** Already on the version (a retry, or an admin was quicker). */
  readonly unchanged: number;
  /** Gone, or the version is not newer for it: nothing to do, not an error to retry. */
  readonly skipped: number;
}

/**
 * The worker's handler: each subscription upgraded in its own unit of work (CatalogUpgradeService
 * apply, as an admin's POST does, with the worker as actor). An upgrade is idempotent, so a
 * retried job finds the committed ones on the new version and changes nothing there.
 */
export async function runCatalogUpgradeJob(
  upgrades: CatalogUpgradeService,
  job: CatalogUpgradeJob,
  logger: Logger,
): Promise<CatalogUpgradeJobResult> {
  const result = { applied: 0, unchanged: 0, skipped: 0 };
  for (const s of job.subscriptions) {
    try {
      const r = await upgrades.apply(
        { tenantId: s.tenantId, userId: null, ...(job.requestId ? { requestId: job.requestId } : {}) },
        s.subscriptionId,
        job.toVersion,
      );
      if (r.applied) result.applied++;
      else result.unchanged++;
    } catch (error: unknown) {
      if (!(
        error instanceof SubscriptionNotFoundError ||
        error instanceof UpgradeNotNewerError ||
        error instanceof UpgradeVersionNotFoundError
      ))
        throw error;
      result.skipped++;
      logger.info({ tenantId: s.tenantId, subscriptionId: s.subscriptionId, reason: error.message }, 'catalog upgrade skipped');
    }
  }
  return result;
}
