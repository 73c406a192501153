import type { EntityManager } from 'typeorm';
import type { DomainEvent, DomainEventSink, Logger } from '../core';
import { chainHash, type AuditRecord } from './audit.chain';

interface ClaimedHead {
  scope: string | null;
  seq: string | null;
  hash: string | null;
  at: Date | null;
}

/**
 * Appends each tenant event to its tenant's audit chain inside the caller's transaction, so the
 * change and its record commit or roll back together. Events outside a tenant (failed logins)
 * have no chain to join: they are logged, one structured line each.
 *
 * The append holds the tenant's head row lock until the caller's transaction ends: appends in one
 * tenant take turns, so publish late in the transaction and do nothing slow after it.
 */
export class AuditSink implements DomainEventSink {
  constructor(private readonly logger: Logger) {}

  async publish(em: EntityManager | null, event: DomainEvent): Promise<void> {
    if (event.tenantId === null) {
      this.logger.info({ event }, `event ${event.action}`);
      return;
    }
    if (em === null) {
      // A tenant event outside a transaction cannot be chained atomically with its change.
      this.logger.warn({ event }, `event ${event.action} not recorded in the audit trail: published without a transaction`);
      return;
    }
    await appendAuditEvent(em, event.tenantId, event);
  }
}

/** Claims the tenant's head (locking it), links the event to it and inserts it. */
async function appendAuditEvent(em: EntityManager, tenantId: string, event: DomainEvent): Promise<void> {
  // uuids are hashed in their canonical lower-case text, the form Postgres gives back.
  const tenant = tenantId.toLowerCase();
  const [head] = await em.query<ClaimedHead[]>('SELECT scope, seq, hash, at FROM audit_claim_head($1)', [tenant]);
  if (!head || head.seq === null || head.hash === null || head.at === null || head.scope?.toLowerCase() !== tenant) {
    throw new Error(
      `audit: event ${event.action} for tenant ${tenant} was published in a transaction scoped to ${head?.scope ? head.scope : 'no tenant'}; ` +
        'publish it inside inScope() for the same tenant',
    );
  }
  const record: AuditRecord = {
    tenantId: tenant,
    seq: Number(head.seq) + 1,
    at: head.at.toISOString(),
    actorId: event.actorId === null ? null : event.actorId.toLowerCase(),
    action: event.action,
    entity: { type: event.entity.type, id: event.entity.id },
    // What jsonb gives back: undefined dropped, dates as strings. Hashing the stored form keeps
    // verification reproducible.
    data: JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>,
    requestId: event.requestId ?? null,
  };
  const hash = chainHash(head.hash, record);
  await em.query(
    `INSERT INTO audit_event (tenant_id, seq, at, actor_id, action, entity_type, entity_id, data, request_id, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      record.tenantId,
      record.seq,
      record.at,
      record.actorId,
      record.action,
      record.entity.type,
      record.entity.id,
      JSON.stringify(record.data),
      record.requestId,
      head.hash,
      hash,
    ],
  );
}
