import { Inject, Injectable } from '@nestjs/common';
import { queueJob, TenantDb, type TracedJobData } from '../db';
import { EvidenceRepository } from './evidence.repository';
import { EVIDENCE_STORAGE, type EvidenceStorage } from './storage/evidence-storage';

/** The pg-boss queue of a deleted tenant's files (its retry settings are in apps/worker/queues.ts). */
export const EVIDENCE_FILES_PURGE_QUEUE = 'evidence-files-purge';

export interface EvidenceFilesPurgeJob extends TracedJobData {
  readonly tenantId: string;
}

/**
 * A deleted tenant's evidence (docs/tenancy-admin.md). Rows go in the deleting unit of work; the
 * files cannot (storage is not transactional), so a job queued in that same unit of work deletes
 * them after commit: a rolled-back deletion leaves every file, a committed one leaves none once
 * the job ran. The job is idempotent (the whole `<tenantId>/` prefix; 0 the second time).
 */
@Injectable()
export class EvidencePurge {
  constructor(
    private readonly db: TenantDb,
    private readonly evidence: EvidenceRepository,
    @Inject(EVIDENCE_STORAGE) private readonly storage: EvidenceStorage,
  ) {}

  /** Inside the deleting TenantDb.run, after the tenant was tombstoned: rows now, files after commit. */
  async purgeTenant(tenantId: string, requestId: string | undefined): Promise<number> {
    const removed = await this.evidence.purgeTenant(tenantId);
    const job: EvidenceFilesPurgeJob = { tenantId };
    await queueJob(this.db.em, EVIDENCE_FILES_PURGE_QUEUE, job, { requestId: requestId ?? null });
    return removed;
  }

  /** The worker's handler: every object under the tenant's prefix. */
  deleteFiles(job: EvidenceFilesPurgeJob): Promise<number> {
    return this.storage.deleteTenant(job.tenantId);
  }
}
