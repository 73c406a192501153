import { Injectable } from '@nestjs/common';
import type { TenantContext } from '../core';
import { TenantDb } from '../db';
import { GENESIS_HASH } from './audit.chain';
import { AuditEventRepository, COLUMNS, type AuditEventRow } from './audit-event.repository';
import { viewOf, type AuditEventView } from './audit.service';

/**
 * Read-only queries for exports (libs/exports): the events of a batch of tasks and their evidence,
 * the chain's head, pages in chain order for the JSONL export, and the event that recorded a pack.
 */
@Injectable()
export class AuditExportReader {
  constructor(private readonly db: TenantDb) {}

  /** Events about these tasks and about evidence attached to them (`data.taskId`), in chain order. */
  async forTasks(ctx: TenantContext, taskIds: readonly string[]): Promise<AuditEventView[]> {
    if (taskIds.length === 0) return [];
    const ids = taskIds.map((id) => id.toLowerCase());
    const rows = await this.db.run(ctx, () =>
      this.db.em.query<AuditEventRow[]>(
        `SELECT ${COLUMNS} FROM audit_event
          WHERE tenant_id = $1 AND ((entity_type = 'task' AND entity_id = ANY($2::text[])) OR (entity_type = 'evidence' AND data->>'taskId' = ANY($2::text[])))
          ORDER BY seq`,
        [ctx.tenantId, ids],
      ),
    );
    return rows.map(viewOf);
  }

  /** The chain's head now (seq 0 and the genesis hash before the first event). */
  async head(ctx: TenantContext): Promise<{ seq: number; hash: string }> {
    const row = await this.db.run(ctx, () => AuditEventRepository.head(this.db.em, ctx.tenantId));
    return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  /** Up to `limit` events after `afterSeq`, oldest first. */
  async after(ctx: TenantContext, afterSeq: number, limit: number): Promise<AuditEventView[]> {
    const rows = await this.db.run(ctx, () => AuditEventRepository.batchAfter(this.db.em, ctx.tenantId, afterSeq, limit));
    return rows.map(viewOf);
  }

  /** The tenant's events with this action whose `data[key]` is `value`, oldest first. */
  async findByData(ctx: TenantContext, action: string, key: string, value: string): Promise<AuditEventView[]> {
    const rows = await this.db.run(ctx, () =>
      this.db.em.query<AuditEventRow[]>(
        `SELECT ${COLUMNS} FROM audit_event WHERE tenant_id = $1 AND action = $2 AND data->>$3 = $4 ORDER BY seq LIMIT 10`,
        [ctx.tenantId, action, key, value],
      ),
    );
    return rows.map(viewOf);
  }
}
