import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import type { Role } from '../core';
import { TenantEntity } from './tenant.entity';
import { UserEntity } from './user.entity';

/** A pending (or accepted) invitation; only the token's sha256 is stored. */
@Entity('invitation')
// The accept link names its tenant: acceptance finds the row by (tenant_id, token_hash).
@Unique('invitation_token_unique', ['tenantId', 'tokenHash'])
// One pending invitation per address and tenant: re-inviting replaces it (revoked ones are kept aside).
@Index('invitation_pending_unique', ['tenantId', 'email'], { unique: true, where: 'accepted_at IS NULL AND revoked_at IS NULL' })
@Check('invitation_email_lower', 'email = lower(email)')
@Check('invitation_role', "role IN ('admin', 'member', 'auditor', 'viewer')")
export class InvitationEntity {
  // First column of the primary key: the distribution column on Citus (docs/scaling.md#citus).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'invitation_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'invitation_pkey' })
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'invitation_tenant_id_fkey' })
  tenant!: Relation<TenantEntity>;

  @Column('text')
  email!: string;

  @Column('text')
  role!: Role;

  @Column('timestamptz', { nullable: true })
  membershipExpiresAt!: Date | null;

  @Column('char', { length: 64 })
  tokenHash!: string;

  @Column('uuid')
  invitedBy!: string;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({ name: 'invited_by', foreignKeyConstraintName: 'invitation_invited_by_fkey' })
  inviter!: Relation<UserEntity>;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  acceptedAt!: Date | null;

  @Column('uuid', { nullable: true })
  acceptedBy!: string | null;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'accepted_by', foreignKeyConstraintName: 'invitation_accepted_by_fkey' })
  acceptor!: Relation<UserEntity> | null;

  /** Revoked by an admin: the link then answers INVITATION_REVOKED. */
  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;

  @Column('uuid', { nullable: true })
  revokedBy!: string | null;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'revoked_by', foreignKeyConstraintName: 'invitation_revoked_by_fkey' })
  revoker!: Relation<UserEntity> | null;
}
