import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { TenantContext } from '../core';
import { TenantDb } from '../db';
import { EvidenceStorageUnavailableError } from './evidence.errors';
import { In } from 'typeorm';
import { EvidenceEntity } from './evidence.entity';
import { toEvidenceView, type EvidenceView } from './evidence.views';
import { EVIDENCE_STORAGE, type EvidenceStorage } from './storage/evidence-storage';

/** Evidence as exports list it, with where its bytes are (files only). */
export interface ExportEvidence extends EvidenceView {
  readonly storageKey: string | null;
}

/**
 * Read-only access for exports (libs/exports): the evidence of a batch of tasks, and the stored bytes
 * of a file as a stream (the pack checks them against the recorded sha256 while it writes them).
 */
@Injectable()
export class EvidenceExportReader {
  constructor(
    private readonly db: TenantDb,
    @Inject(EVIDENCE_STORAGE) private readonly storage: EvidenceStorage,
  ) {}

  /** The evidence of these tasks, per task oldest first. */
  async forTasks(ctx: TenantContext, taskIds: readonly string[]): Promise<ExportEvidence[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.db.run(ctx, () =>
      this.db.em.getRepository(EvidenceEntity).find({
        where: { tenantId: ctx.tenantId, taskId: In([...taskIds]) },
        order: { taskId: 'ASC', submittedAt: 'ASC', id: 'ASC' },
      }),
    );
    return rows.map((r) => ({ ...toEvidenceView(r), storageKey: r.storageKey }));
  }

  /** The stored bytes of a file; a missing object or an unreachable store is EVIDENCE_STORAGE_UNAVAILABLE. */
  async open(evidence: ExportEvidence): Promise<Readable> {
    if (evidence.storageKey === null) throw new Error(`evidence ${evidence.id} has no stored file`);
    const key = evidence.storageKey;
    let stream: Readable | null;
    try {
      stream = await this.storage.read(key);
    } catch {
      throw new EvidenceStorageUnavailableError();
    }
    if (stream === null) throw new EvidenceStorageUnavailableError();
    return stream;
  }

  /** The storage evidence files live in (packs are kept beside them, under their own keys). */
  get store(): EvidenceStorage {
    return this.storage;
  }
}
