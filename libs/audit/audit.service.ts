import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { decodeCursor, encodeCursor, InvalidCursorError, type TenantContext } from '../core';
import { TenantDb } from '../db';
import { AuditEventRepository, recordOf, type AuditEventRow } from './audit-event.repository';
import { chainHash, GENESIS_HASH } from './audit.chain';

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

/** Rows read per round trip while verifying: memory stays flat whatever the chain's length. */
const VERIFY_BATCH = 1000;
const MAX_SEQ = 9223372036854775807n;

export function viewOf(row: AuditEventRow): AuditEventView {
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

/** A cursor is the seq of the last row given; the next page starts below it. */
function seqOfCursor(cursor: string): string {
  const [value] = decodeCursor(cursor, ['string']);
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,18}$/.test(value) || BigInt(value) > MAX_SEQ) throw new InvalidCursorError();
  return value;
}

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly db: TenantDb,
    private readonly events: AuditEventRepository,
  ) {}

  /** Newest first (the head on top); `nextCursor` pages back towards the first event. */
  async list(ctx: TenantContext, page: { limit: number; cursor?: string }): Promise<AuditPage> {
    const before = page.cursor ? seqOfCursor(page.cursor) : null;
    const rows = await this.db.run(ctx, () => this.events.newestFirst(ctx.tenantId, before, page.limit + 1));
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
    // Joins the caller's unit of work when there is one (the task detail reads in one transaction).
    const rows = await this.db.run(ctx, () => this.events.aboutTask(ctx.tenantId, id, limit));
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
        const rows = await AuditEventRepository.batchAfter(em, ctx.tenantId, lastSeq, VERIFY_BATCH);
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
      const head = await AuditEventRepository.head(em, ctx.tenantId);
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
   * one snapshot, so appends committed meanwhile cannot look like a broken head. Its own
   * transaction, not TenantDb.run: the unit of work runs READ COMMITTED, and the isolation level
   * must be set before its first query.
   */
  private inSnapshot<T>(ctx: TenantContext, fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction('REPEATABLE READ', async (em) => {
      await em.query('SET TRANSACTION READ ONLY');
      await em.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)", [ctx.tenantId, ctx.userId]);
      return fn(em);
    });
  }
}
