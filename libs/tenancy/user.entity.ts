import { Check, Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** An account. Not tenant-owned (one account, many tenants): no row-level security on it. */
@Entity('app_user')
@Unique('app_user_email_unique', ['email'])
@Check('app_user_email_lower', 'email = lower(email) AND length(email) BETWEEN 3 AND 254')
@Check('app_user_name_length', 'length(name) BETWEEN 1 AND 200')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'app_user_pkey' })
  id!: string;

  /** Stored lower-cased: emails are case-insensitive. */
  @Column('text')
  email!: string;

  @Column('text')
  name!: string;

  @Column('text', { select: false })
  passwordHash!: string;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;
}
