import type { EntityManager } from 'typeorm';
import type { Logger } from './logger/logger';

/** Something that happened, told to whoever keeps the record (the audit trail). */
export interface DomainEvent {
  /** e.g. `user.signed_up`, `member.invited`, `member.role_changed`, `auth.login_failed`. */
  readonly action: string;
  /** Null for events outside a tenant (login failures, sign-ups before a tenant exists). */
  readonly tenantId: string | null;
  readonly actorId: string | null;
  readonly entity: { readonly type: string; readonly id: string };
  readonly data: Readonly<Record<string, unknown>>;
  readonly requestId?: string;
}

/**
 * Receives domain events inside the transaction that made the change, so the record and the
 * change commit or roll back together.
 */
export interface DomainEventSink {
  publish(em: EntityManager | null, event: DomainEvent): Promise<void>;
  /** Several events in this order, as one append where the sink can (an upgrade's dozens of events). */
  publishAll(em: EntityManager | null, events: readonly DomainEvent[]): Promise<void>;
}

export const DOMAIN_EVENT_SINK = Symbol('DOMAIN_EVENT_SINK');

/** Until the audit trail records them: one structured log line per event. */
export class LoggingEventSink implements DomainEventSink {
  constructor(private readonly logger: Logger) {}
  publish(_em: EntityManager | null, event: DomainEvent): Promise<void> {
    this.logger.info({ event }, `event ${event.action}`);
    return Promise.resolve();
  }
  async publishAll(em: EntityManager | null, events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) await this.publish(em, event);
  }
}
