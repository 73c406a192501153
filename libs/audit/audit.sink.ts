import type { EntityManager } from 'typeorm';
import type { DomainEvent, DomainEventSink, Logger } from '../core';
import { appendAuditEvent, appendAuditEvents } from './audit-event.repository';

/**
 * Appends each tenant event to its tenant's audit chain inside the caller's transaction, so the
 * change and its record commit or roll back together. Events outside a tenant (failed logins)
 * have no chain to join: they are logged, one structured line each.
 *
 * Publishers pass the unit of work's EntityManager (`TenantDb.em`, inside `TenantDb.run`), so
 * the event joins the transaction of the change whatever lib published it.
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

  /** Events of one tenant (each with that tenantId) appended in one go, in order. */
  async publishAll(em: EntityManager | null, events: readonly DomainEvent[]): Promise<void> {
    const [first] = events;
    if (!first) return;
    const tenantId = first.tenantId;
    if (tenantId === null || em === null || events.some((e) => e.tenantId !== tenantId)) {
      for (const event of events) await this.publish(em, event);
      return;
    }
    await appendAuditEvents(em, tenantId, events);
  }
}
