import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { decodeCursor, encodeCursor, ValidationError, type TenantContext } from '../core';
import { inScope } from '../db';
import { chainHash, GENESIS_HASH, type AuditRecord } from './audit.chain';

export interface AuditEventView {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  entity: { type: string; id: string };
  data: Record<string, unknown>;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditPage {
  items: AuditEventView[];
  nextCursor: string | null;
}

/** Why a chain does not check, at `firstBrokenSeq` (see docs/audit.md). */
export type AuditBreak =
  /** The row's content no longer gives its stored hash: the row was changed. */
  | 'hash_mismatch'
  /** The row does not link to the row before it: that one was replaced, or this one inserted. */
  | 'prev_hash_mismatch'
  /** A seq is missing: the row was removed. */
  | 'missing_row'
  /** A seq appears out of its place (only possible once the table's own checks were dropped). */
  | 'unexpected_row'
  /** audit_head disagrees with the last row: rows were added or removed at the end behind the app. */
  | 'head_mismatch'
  /** The chain checks, but does not contain the head hash the caller kept: it was cut or rewritten. */
  | 'expected_head_not_found';

export interface AuditVerification {
  valid: boolean;
  /** Rows in the tenant's chain. */
  count: number;
  /** The last row's seq and hash (0 and the genesis hash when there is none): record these elsewhere. */
  headSeq: number;
  headHash: string;
  firstBrokenSeq?: number;
  reason?: AuditBreak;
  /** Only when `expectedHead` was given. */
  expectedHeadFound?: boolean;
}

interface EventRow {
  tenant_id: string;
  seq: string;
  /** Full microsecond precision, so a change below the millisecond still shows. */
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

const COLUMNS = `tenant_id, seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text,
  actor_id, action, entity_type, entity_id, data, request_id, prev_hash, hash`;

/** Rows read per round trip while verifying: memory stays flat whatever the chain's length. */
const VERIFY_BATCH = 1000;
const MAX_SEQ = 9223372036854775807n;

/** Appended rows carry milliseconds; anything finer was not written by the app and is hashed as is. */
function isoOf(atText: string): string {
  return atText.endsWith('000Z') ? `${atText.slice(0, -4)}Z` : atText;
}

function recordOf(row: EventRow): AuditRecord {
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

function viewOf(row: EventRow): AuditEventView {
  const { tenantId: _tenant, ...record } = recordOf(row);
  return { ...record, prevHash: row.prev_hash, hash: row.hash };
}

interface Break {
  seq: number;
  reason: AuditBreak;
}

/** The first break in seq order wins: it is where an auditor starts looking. */
const earliest = (known: Break | null, seq: number, reason: AuditBreak): Break =>
  known === null || seq < known.seq ? { seq, reason } : known;

const badCursor = (): ValidationError =>
  new ValidationError(
    'The cursor is not one this API gave out: pass nextCursor from the previous page, unchanged.',
    undefined,
    'INVALID_CURSOR',
  );

/** A cursor is the seq of the last row given; the next page starts below it. */
function seqOfCursor(cursor: string): string {
  const [value] = decodeCursor(cursor, ['string']);
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,18}$/.test(value) || BigInt(value) > MAX_SEQ) throw badCursor();
  return value;
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Newest first (the head on top); `nextCursor` pages back towards the first event. */
  async list(ctx: TenantContext, page: { limit: number; cursor?: string }): Promise<AuditPage> {
    const before = page.cursor ? seqOfCursor(page.cursor) : null;
    const rows = await inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, (em) =>
      em.query<EventRow[]>(
        `SELECT ${COLUMNS} FROM audit_event
          WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
          ORDER BY seq DESC LIMIT $3`,
        [ctx.tenantId, before, page.limit + 1],
      ),
    );
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items: items.map(viewOf), nextCursor: rows.length > page.limit && last ? encodeCursor([last.seq]) : null };
  }

  /**
   * A task's history, oldest first (at most `limit`): the events about the task itself and
   * about what was attached to it (evidence carries `data.taskId`).
   */
  async taskHistory(ctx: TenantContext, taskId: string, limit = 200): Promise<AuditEventView[]> {
    const id = taskId.toLowerCase();
    const rows = await inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, (em) =>
      em.query<EventRow[]>(
        `SELECT ${COLUMNS} FROM audit_event
          WHERE tenant_id = $1 AND ((entity_type = 'task' AND entity_id = $2) OR (entity_type = 'evidence' AND data->>'taskId' = $2))
          ORDER BY seq LIMIT $3`,
        [ctx.tenantId, id, limit],
      ),
    );
    return rows.map(viewOf);
  }

  /**
   * Walks the tenant's chain in seq order, in batches, recomputing every hash; then checks the
   * head row and, when given, that the chain still contains `expectedHead`.
   */
  async verify(ctx: TenantContext, expectedHead?: string): Promise<AuditVerification> {
    return this.inSnapshot(ctx, async (em) => {
      let broken: Break | null = null;
      let count = 0;
      let lastSeq = 0;
      let lastHash = GENESIS_HASH;
      let expectedFound = expectedHead === GENESIS_HASH;
      for (;;) {
        const rows = await em.query<EventRow[]>(
          `SELECT ${COLUMNS} FROM audit_event WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
          [ctx.tenantId, lastSeq, VERIFY_BATCH],
        );
        for (const row of rows) {
          const seq = Number(row.seq);
          if (seq !== lastSeq + 1)
            broken = earliest(broken, Math.min(seq, lastSeq + 1), seq > lastSeq + 1 ? 'missing_row' : 'unexpected_row');
          else if (row.prev_hash !== lastHash) broken = earliest(broken, seq, 'prev_hash_mismatch');
          else if (chainHash(row.prev_hash, recordOf(row)) !== row.hash) broken = earliest(broken, seq, 'hash_mismatch');
          if (row.hash === expectedHead) expectedFound = true;
          // Carry on from what is stored, so count and expectedHead cover the whole table.
          count++;
          lastSeq = seq;
          lastHash = row.hash;
        }
        if (rows.length < VERIFY_BATCH) break;
      }
      const [head] = await em.query<{ seq: string; hash: string }[]>('SELECT seq, hash FROM audit_head WHERE tenant_id = $1', [
        ctx.tenantId,
      ]);
      const headSeq = head ? Number(head.seq) : 0;
      const headHash = head?.hash ?? GENESIS_HASH;
      if (headSeq !== lastSeq) broken = earliest(broken, Math.min(headSeq, lastSeq) + 1, 'head_mismatch');
      else if (headHash !== lastHash) broken = earliest(broken, lastSeq, 'head_mismatch');

      const result: AuditVerification = broken
        ? { valid: false, count, headSeq: lastSeq, headHash: lastHash, firstBrokenSeq: broken.seq, reason: broken.reason }
        : { valid: true, count, headSeq: lastSeq, headHash: lastHash };
      if (expectedHead !== undefined) {
        result.expectedHeadFound = expectedFound;
        if (!expectedFound) {
          result.valid = false;
          result.reason ??= 'expected_head_not_found';
        }
      }
      return result;
    });
  }

  /**
   * One read-only REPEATABLE READ transaction for the whole walk: the rows and the head come from
   * one snapshot, so appends committed meanwhile cannot look like a broken head. (inScope runs
   * READ COMMITTED, and the isolation level must be set before its first query.)
   */
  private inSnapshot<T>(ctx: TenantContext, fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction('REPEATABLE READ', async (em) => {
      await em.query('SET TRANSACTION READ ONLY');
      await em.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)", [ctx.tenantId, ctx.userId]);
      return fn(em);
    });
  }
}
