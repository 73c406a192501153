import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** A user's own mail preferences (not tenant-owned: they apply in every tenant). */
@Entity('notification_preference')
@Check('notification_preference_timezone', 'timezone IS NULL OR length(timezone) BETWEEN 1 AND 64')
export class NotificationPreferenceEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'notification_preference_pkey' })
  @ForeignKey('app_user', { name: 'notification_preference_user_id_fkey', onDelete: 'CASCADE' })
  userId!: string;

  @Column('boolean', { default: true })
  dueSoon!: boolean;

  @Column('boolean', { default: true })
  overdue!: boolean;

  @Column('boolean', { default: true })
  digest!: boolean;

  @Column('boolean', { default: true })
  escalation!: boolean;

  @Column('boolean', { default: true })
  reviewRejected!: boolean;

  /** IANA name; null: the tenant's (`tenant.time_zone`). */
  @Column('text', { nullable: true })
  timezone!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;
}
