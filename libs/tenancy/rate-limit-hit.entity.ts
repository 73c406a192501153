import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One fixed window's counter for one (bucket, key): shared by every api process. */
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
}
