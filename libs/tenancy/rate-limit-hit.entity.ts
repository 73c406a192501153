import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One fixed window's counter for one (bucket, key): shared by every api process. A limit reads the
 * current window and the one before it (rate-limit.service.ts: sliding windows).
 */
@Entity('rate_limit_hit')
@Index('rate_limit_hit_window_idx', ['windowStart'])
export class RateLimitHitEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'rate_limit_hit_pkey' })
  bucket!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'rate_limit_hit_pkey' })
  key!: string;

  @PrimaryColumn('timestamptz', { primaryKeyConstraintName: 'rate_limit_hit_pkey' })
  windowStart!: Date;

  @Column('int')
  hits!: number;

  /** The window's length: housekeeping keeps a window while it can still be "the one before". */
  @Column('int')
  windowSeconds!: number;

  /** When the last hit was counted: growing delays are measured from it. */
  @Column('timestamptz')
  lastHitAt!: Date;
}
