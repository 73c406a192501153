import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { PHASES, type Phase } from '../catalog';
import { sqlList } from './task-status';

/**
 * A tenant's adoption of one catalog version. Foreign keys to other libs' tables name the table
 * (a string target): libs/tasks does not import libs/tenancy, and needs no relation object.
 */
@Entity('subscription')
@Unique('subscription_one_per_catalog', ['tenantId', 'catalogId'])
@Check('subscription_phase', `phase IN ${sqlList(PHASES)}`)
export class SubscriptionEntity {
  // First column of the primary key: the distribution column on Citus (docs/scaling.md#citus).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'subscription_pkey' })
  @ForeignKey('tenant', { name: 'subscription_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'subscription_pkey' })
  id!: string;

  @Column('uuid')
  @ForeignKey('catalog', { name: 'subscription_catalog_id_fkey' })
  catalogId!: string;

  @Column('uuid')
  @ForeignKey('catalog_version', { name: 'subscription_catalog_version_id_fkey' })
  catalogVersionId!: string;

  @Column('text')
  phase!: Phase;

  @Column('date')
  startsOn!: string;

  @Column('text')
  timezone!: string;

  /** The date each phase started, keyed by phase: the anchor of its duties' schedules. */
  @Column('jsonb')
  phaseStartedOn!: Partial<Record<Phase, string>>;

  @Column('uuid')
  @ForeignKey('app_user', { name: 'subscription_created_by_fkey' })
  createdBy!: string;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;

  /** Ended by an admin: its open tasks were withdrawn and no period opens any more. */
  @Column('timestamptz', { nullable: true })
  endedAt!: Date | null;

  @Column('uuid', { nullable: true })
  @ForeignKey('app_user', { name: 'subscription_ended_by_fkey' })
  endedBy!: string | null;
}

/**
 * Which subscriptions may have a period to open, across tenants, for the worker. Ids and a date
 * only: no tenant data, so no row-level security on it.
 */
@Entity('occurrence_schedule')
@ForeignKey('subscription', ['tenantId', 'subscriptionId'], ['tenantId', 'id'], {
  name: 'occurrence_schedule_subscription_fk',
  onDelete: 'CASCADE',
})
export class OccurrenceScheduleEntity {
  // First column of the primary key: the distribution column on Citus (docs/scaling.md#citus).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'occurrence_schedule_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'occurrence_schedule_pkey' })
  subscriptionId!: string;

  @Index('occurrence_schedule_next_idx')
  @Column('date', { nullable: true })
  nextPeriodOn!: string | null;
}
