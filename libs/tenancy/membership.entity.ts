import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { Role } from '../core';
import { TenantEntity } from './tenant.entity';
import { UserEntity } from './user.entity';

/** A user's role in a tenant, until expires_at (null: no end). Active = not expired (membership.repository.ts). */
@Entity('membership')
@Index('membership_user_idx', ['userId'])
@Check('membership_role', "role IN ('admin', 'member', 'auditor', 'viewer')")
export class MembershipEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'membership_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'membership_pkey' })
  userId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'membership_tenant_id_fkey' })
  tenant!: Relation<TenantEntity>;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'membership_user_id_fkey' })
  user!: Relation<UserEntity>;

  @Column('text')
  role!: Role;

  @Column('timestamptz', { nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;
}
