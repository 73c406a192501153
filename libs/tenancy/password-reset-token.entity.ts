import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import { UserEntity } from './user.entity';

/**
 * A password reset link (docs/security.md#password-reset). Only the sha256 of the link's secret is
 * stored; a row is spent (`used_at`), replaced by a newer link (`superseded_at`) or expired
 * (`expires_at`, one hour after it was made). Not tenant-owned (an account spans tenants): no
 * row-level security, like `refresh_token`.
 */
@Entity('password_reset_token')
@Unique('password_reset_token_hash_unique', ['tokenHash'])
// At most one live link per account: asking again supersedes the previous one.
@Index('password_reset_token_pending_unique', ['userId'], { unique: true, where: 'used_at IS NULL AND superseded_at IS NULL' })
@Index('password_reset_token_expiry_idx', ['expiresAt'])
export class PasswordResetTokenEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'password_reset_token_pkey' })
  id!: string;

  @Column('uuid')
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'password_reset_token_user_id_fkey' })
  user!: Relation<UserEntity>;

  @Column('char', { length: 64 })
  tokenHash!: string;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  usedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  supersededAt!: Date | null;
}
