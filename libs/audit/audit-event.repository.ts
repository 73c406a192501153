import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '../core';
import { TenantDb } from '../db';
import { chainHash, type AuditRecord } from './audit.chain';

/**
 * The one read model of audit_event: the row as stored, `at` as text to the microsecond so a
 * change below the millisecond still shows (the entity's Date keeps milliseconds only).
 */
export interface AuditEventRow {
  tenant_id: string;
  seq: string;
  at_text: string;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  data: Record<string, unknown>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** Also selected by audit-export.reader.ts (the same read model). */
export const COLUMNS = `tenant_id, seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text,
  actor_id, action, entity_type, entity_id, data, request_id, prev_hash, hash`;

/** Appended rows carry milliseconds; anything finer was not written by the app and is hashed as is. */
function isoOf(atText: string): string {
  return atText.endsWith('000Z') ? `${atText.slice(0, -4)}Z` : atText;
}

/** What the row's hash covers. */
export function recordOf(row: AuditEventRow): AuditRecord {
  return {
    tenantId: row.tenant_id,
    seq: Number(row.seq),
    at: isoOf(row.at_text),
    actorId: row.actor_id,
    action: row.action,
    entity: { type: row.entity_type, id: row.entity_id },
    data: row.data,
    requestId: row.request_id,
  };
}

/** Reads of the trail; every method works on the current unit of work (TenantDb). */
@Injectable()
export class AuditEventRepository {
  constructor(private readonly db: TenantDb) {}

  /** Newest first, below `beforeSeq` when given; `limit` rows at most. */
  newestFirst(tenantId: string, beforeSeq: string | null, limit: number): Promise<AuditEventRow[]> {
    return this.db.em.query<AuditEventRow[]>(
      `SELECT ${COLUMNS} FROM audit_event
        WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
        ORDER BY seq DESC LIMIT $3`,
      [tenantId, beforeSeq, limit],
    );
  }

  /** The events about a task and about what was attached to it (evidence carries `data.taskId`), oldest first. */
  aboutTask(tenantId: string, taskId: string, limit: number): Promise<AuditEventRow[]> {
    return this.db.em.query<AuditEventRow[]>(
      `SELECT ${COLUMNS} FROM audit_event
        WHERE tenant_id = $1 AND ((entity_type = 'task' AND entity_id = $2) OR (entity_type = 'evidence' AND data->>'taskId' = $2))
        ORDER BY seq LIMIT $3`,
      [tenantId, taskId, limit],
    );
  }

  /** The next batch of the chain after `afterSeq`, in seq order (verification walks it). */
  static batchAfter(em: EntityManager, tenantId: string, afterSeq: number, limit: number): Promise<AuditEventRow[]> {
    return em.query<AuditEventRow[]>(`SELECT ${COLUMNS} FROM audit_event WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
      tenantId,
      afterSeq,
      limit,
    ]);
  }

  static async head(em: EntityManager, tenantId: string): Promise<{ seq: string; hash: string } | undefined> {
    const [head] = await em.query<{ seq: string; hash: string }[]>('SELECT seq, hash FROM audit_head WHERE tenant_id = $1', [tenantId]);
    return head;
  }
}

interface ClaimedHead {
  scope: string | null;
  seq: string | null;
  hash: string | null;
  at: Date | null;
}

/**
 * Claims the tenant's head (locking it, see libs/audit/sql/audit_claim_head.sql), links the event
 * to it and inserts it, on the caller's transaction `em` (the unit of work's `db.em`).
 */
export async function appendAuditEvent(em: EntityManager, tenantId: string, event: DomainEvent): Promise<void> {
  await appendAuditEvents(em, tenantId, [event]);
}

/**
 * Several events of one tenant in one go: one claim of the head, then one INSERT of every row in
 * chain order (the link trigger checks and moves the head row by row, as for single appends). An
 * upgrade of a subscription records dozens of events: two round trips instead of two per event.
 * The rows share the claim's time (they happen in one transaction).
 */
export async function appendAuditEvents(em: EntityManager, tenantId: string, events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  // uuids are hashed in their canonical lower-case text, the form Postgres gives back.
  const tenant = tenantId.toLowerCase();
  const [head] = await em.query<ClaimedHead[]>('SELECT scope, seq, hash, at FROM audit_claim_head($1)', [tenant]);
  if (!head || head.seq === null || head.hash === null || head.at === null || head.scope?.toLowerCase() !== tenant) {
    throw new Error(
      `audit: event ${events[0]?.action ?? ''} for tenant ${tenant} was published in a transaction scoped to ${head?.scope ? head.scope : 'no tenant'}; ` +
        'publish it inside the unit of work (TenantDb.run) of the same tenant',
    );
  }
  const at = head.at.toISOString();
  let prev = head.hash;
  const values: unknown[] = [];
  const rows: string[] = [];
  events.forEach((event, i) => {
    const record: AuditRecord = {
      tenantId: tenant,
      seq: Number(head.seq) + 1 + i,
      at,
      actorId: event.actorId === null ? null : event.actorId.toLowerCase(),
      action: event.action,
      entity: { type: event.entity.type, id: event.entity.id },
      // What jsonb gives back: undefined dropped, dates as strings. Hashing the stored form keeps
      // verification reproducible.
      data: JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>,
      requestId: event.requestId ?? null,
    };
    const hash = chainHash(prev, record);
    const n = values.length;
    rows.push(`(${Array.from({ length: 11 }, (_, k) => `$${n + k + 1}`).join(', ')})`);
    values.push(
      record.tenantId,
      record.seq,
      record.at,
      record.actorId,
      record.action,
      record.entity.type,
      record.entity.id,
      JSON.stringify(record.data),
      record.requestId,
      prev,
      hash,
    );
    prev = hash;
  });
  // VALUES rows are inserted in the order written, so the trigger sees seq + 1, + 2, ...
  await em.query(
    `INSERT INTO audit_event (tenant_id, seq, at, actor_id, action, entity_type, entity_id, data, request_id, prev_hash, hash)
     VALUES ${rows.join(', ')}`,
    values,
  );
}
