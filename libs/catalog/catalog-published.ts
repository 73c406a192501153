import type { TracedJobData } from '../db';

/**
 * The pg-boss queue told about every newly stored catalog version that has an older one (its retry
 * settings are in apps/worker/queues.ts). The job is queued by CatalogRepository.store in the
 * transaction that stores the version: a rolled-back import queues nothing. The worker mails the
 * admins of the tenants still on an older version (libs/reminders, docs/catalog-import.md).
 */
export const CATALOG_PUBLISHED_QUEUE = 'catalog-published';

export interface CatalogPublishedJob extends TracedJobData {
  readonly catalogId: string;
  /** The version just stored (the catalog's latest when it was stored). */
  readonly versionId: string;
  /** The owner of a tenant-private catalog (only its admins are concerned); null for a global one. */
  readonly tenantId: string | null;
  /**
   * When it was stored (the storing transaction's time). Only subscriptions older than that are
   * concerned: one made later chose its version with this one already there (a fresh install
   * seeds two versions of Private Exchange before anyone subscribes).
   */
  readonly publishedAt: string;
}
