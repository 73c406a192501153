import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { UserEntity } from './user.entity';

/**
 * A customer organisation. Its reminder settings and its time zone live on it (read and changed by
 * libs/reminders through TenantRepository, read by libs/exports through TenantsService).
 */
@Entity('tenant')
@Check('tenant_name_length', 'length(name) BETWEEN 1 AND 200')
@Check(
  'tenant_reminder_days',
  'cardinality(reminder_days) <= 5 AND array_position(reminder_days, NULL) IS NULL AND 0 <= ALL (reminder_days) AND 60 >= ALL (reminder_days)',
)
@Check('tenant_escalation_days', 'escalation_days BETWEEN 1 AND 365')
@Check('tenant_time_zone', 'length(time_zone) BETWEEN 1 AND 64')
@Check('tenant_deletion_complete', '(deleted_at IS NULL) = (audit_retained_until IS NULL)')
export class TenantEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'tenant_pkey' })
  id!: string;

  @Column('text')
  name!: string;

  @Column('uuid')
  createdBy!: string;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'tenant_created_by_fkey' })
  creator!: Relation<UserEntity>;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  /** Days before the due date on which due-soon reminders go out (at most 5, each 0..60). */
  @Column('int', { array: true, default: () => "'{7,1}'" })
  reminderDays!: number[];

  /** Days overdue after which admins are told (1..365). */
  @Column('int', { default: 7 })
  escalationDays!: number;

  /**
   * The IANA zone that decides "today" for the tenant's duties (every subscription follows it) and
   * in which its reports print times. Checked against Node and Postgres by libs/reminders on change.
   */
  @Column('text', { default: 'UTC' })
  timeZone!: string;

  /** Deleted by an admin: a tombstone that keeps the audit chain's tenant (docs/tenancy-admin.md). */
  @Column('timestamptz', { nullable: true })
  deletedAt!: Date | null;

  @Column('uuid', { nullable: true })
  deletedBy!: string | null;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'deleted_by', foreignKeyConstraintName: 'tenant_deleted_by_fkey' })
  deleter!: Relation<UserEntity> | null;

  /** Until when the deleted tenant's audit trail is kept (AUDIT_RETENTION_DAYS after deletion). */
  @Column('timestamptz', { nullable: true })
  auditRetainedUntil!: Date | null;
}
