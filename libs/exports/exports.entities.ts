import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique, type Relation } from 'typeorm';
import { TenantEntity, UserEntity } from '../tenancy';

export const PACK_STATES = ['queued', 'building', 'ready', 'failed', 'expired'] as const;
export type PackState = (typeof PACK_STATES)[number];

/**
 * One evidence pack: what was asked (filter), how far the worker is, and, once ready, where the
 * ZIP lies and the hashes that let anyone check it later (docs/exports.md).
 */
@Entity('evidence_pack')
@Index('evidence_pack_tenant_created_idx', ['tenantId', 'createdAt'])
@Check('evidence_pack_state', `"state" IN ('queued', 'building', 'ready', 'failed', 'expired')`)
export class EvidencePackEntity {
  // (tenant_id, id): the distribution key leads every tenant-owned key (docs/scaling.md).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'evidence_pack_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'evidence_pack_pkey' })
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'evidence_pack_tenant_fk' })
  tenant!: Relation<TenantEntity>;

  @Column('uuid')
  requestedBy!: string;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'requested_by', foreignKeyConstraintName: 'evidence_pack_requested_by_fk' })
  requester!: Relation<UserEntity>;

  @Column('jsonb')
  filter!: Record<string, unknown>;

  @Column('text')
  state!: PackState;

  @Column('integer', { default: 0 })
  filesTotal!: number;

  @Column('integer', { default: 0 })
  filesDone!: number;

  /** bigint: TypeORM gives it as a string. */
  @Column('bigint', { default: 0 })
  bytesTotal!: string;

  @Column('bigint', { default: 0 })
  bytesDone!: string;

  @Column('bigint', { nullable: true })
  size!: string | null;

  @Column('char', { length: 64, nullable: true })
  sha256!: string | null;

  @Column('char', { length: 64, nullable: true })
  manifestSha256!: string | null;

  @Column('text', { nullable: true })
  error!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  finishedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  expiresAt!: Date | null;
}

/** A secret iCalendar URL; only the sha256 of its token is kept. */
@Entity('calendar_feed')
@Index('calendar_feed_tenant_user_idx', ['tenantId', 'userId'])
@Unique('calendar_feed_token_unique', ['tenantId', 'tokenHash'])
@Check('calendar_feed_scope', `"scope" IN ('assigned', 'tenant')`)
export class CalendarFeedEntity {
  // (tenant_id, id): the distribution key leads every tenant-owned key (docs/scaling.md).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'calendar_feed_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'calendar_feed_pkey' })
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'calendar_feed_tenant_fk' })
  tenant!: Relation<TenantEntity>;

  @Column('uuid')
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'calendar_feed_user_fk' })
  user!: Relation<UserEntity>;

  @Column('text')
  scope!: 'assigned' | 'tenant';

  @Column('char', { length: 64 })
  tokenHash!: string;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;
}

export const EXPORTS_ENTITIES = [EvidencePackEntity, CalendarFeedEntity];
