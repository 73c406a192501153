import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Phase } from '../catalog';
import { TenantDb } from '../db';
import { OccurrenceScheduleEntity, SubscriptionEntity } from './subscription.entity';

/** The subscription aggregate's SQL: subscriptions and their occurrence schedule. Works in the caller's unit of work. */
@Injectable()
export class SubscriptionRepository {
  constructor(private readonly db: TenantDb) {}

  private get em(): EntityManager {
    return this.db.em;
  }

  /** A new subscription, or null when the tenant already subscribes to the catalog. */
  async insert(s: Omit<SubscriptionEntity, 'id' | 'createdAt' | 'updatedAt' | 'endedAt' | 'endedBy'>): Promise<string | null> {
    const result = await this.em.createQueryBuilder().insert().into(SubscriptionEntity).values(s).orIgnore().returning(['id']).execute();
    const [row] = result.raw as { id: string }[];
    return row?.id ?? null;
  }

  async find(tenantId: string, id: string, lock = false): Promise<SubscriptionEntity | null> {
    const q = this.em
      .getRepository(SubscriptionEntity)
      .createQueryBuilder('s')
      .where('s.tenant_id = :tenantId AND s.id = :id', { tenantId, id });
    return (lock ? q.setLock('pessimistic_write') : q).getOne();
  }

  async list(tenantId: string): Promise<SubscriptionEntity[]> {
    return this.em.getRepository(SubscriptionEntity).find({ where: { tenantId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async changePhase(tenantId: string, id: string, phase: Phase, phaseStartedOn: Partial<Record<Phase, string>>): Promise<void> {
    await this.em
      .createQueryBuilder()
      .update(SubscriptionEntity)
      .set({ phase, phaseStartedOn, updatedAt: () => 'now()' })
      .where('tenant_id = :tenantId AND id = :id', { tenantId, id })
      .execute();
  }

  async markEnded(tenantId: string, id: string, userId: string): Promise<void> {
    await this.em
      .createQueryBuilder()
      .update(SubscriptionEntity)
      .set({ endedAt: () => 'now()', endedBy: userId, updatedAt: () => 'now()' })
      .where('tenant_id = :tenantId AND id = :id', { tenantId, id })
      .execute();
  }

  /** Takes the subscription off the roll-over: no period opens for it any more. */
  async unschedule(tenantId: string, subscriptionId: string): Promise<void> {
    await this.em.getRepository(OccurrenceScheduleEntity).delete({ tenantId, subscriptionId });
  }

  /** Points the subscription at another version of its catalog (an upgrade). */
  /**
   * Moves a subscription to another catalog version and sets when its roll-over looks at it next,
   * in one statement (one round trip per upgraded subscription, bench:catalog-upgrade).
   */
  async changeVersion(tenantId: string, id: string, catalogVersionId: string, nextPeriodOn: string): Promise<void> {
    await this.em.query(
      `WITH moved AS (
         UPDATE subscription SET catalog_version_id = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING tenant_id, id
       )
       INSERT INTO occurrence_schedule (tenant_id, subscription_id, next_period_on)
       SELECT tenant_id, id, $4::date FROM moved
       ON CONFLICT (tenant_id, subscription_id) DO UPDATE SET next_period_on = EXCLUDED.next_period_on`,
      [tenantId, id, catalogVersionId, nextPeriodOn],
    );
  }

  async schedule(subscriptionId: string, tenantId: string, nextPeriodOn: string | null): Promise<void> {
    await this.em
      .getRepository(OccurrenceScheduleEntity)
      .upsert({ subscriptionId, tenantId, nextPeriodOn }, ['tenantId', 'subscriptionId']);
  }

  /**
   * Subscriptions, across tenants, whose next period starts by `until` (the worker's roll-over).
   * The schedule holds ids and dates only, so it has no row-level security and needs no scope.
   */
  async dueForRollover(until: string): Promise<OccurrenceScheduleEntity[]> {
    return this.em
      .getRepository(OccurrenceScheduleEntity)
      .createQueryBuilder('o')
      .where('o.next_period_on <= :until::date', { until })
      .orderBy('o.next_period_on')
      .getMany();
  }

  /** Gives every subscription of the tenant this time zone; answers how many changed. */
  async setTimeZoneOfAll(tenantId: string, timezone: string): Promise<number> {
    const result = await this.em
      .createQueryBuilder()
      .update(SubscriptionEntity)
      .set({ timezone, updatedAt: () => 'now()' })
      .where('tenant_id = :tenantId AND timezone <> :timezone', { tenantId, timezone })
      .execute();
    return result.affected ?? 0;
  }
}
