import { Check, Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * The log of "a newer version of your catalog was published" mails: one row per (tenant, version,
 * admin), written in the transaction that hands the mail to SMTP. Its unique key is the idempotency
 * key: a retried job, a second worker or a restart finds the row and sends nothing more
 * (docs/catalog-import.md). No foreign keys, like `notification`: the mail log outlives what it names.
 */
@Entity('catalog_update_mail')
@Unique('catalog_update_mail_once', ['tenantId', 'versionId', 'recipientId'])
@Check('catalog_update_mail_status', "status IN ('sent', 'failed')")
export class CatalogUpdateMailEntity {
  // First column of the primary key: the distribution column on Citus (docs/scaling.md#citus).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'catalog_update_mail_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'catalog_update_mail_pkey' })
  id!: string;

  /** The newly published version the mail is about. */
  @Column('uuid')
  versionId!: string;

  @Column('uuid')
  recipientId!: string;

  @Column('uuid')
  subscriptionId!: string;

  /** The version the subscription was on when the mail was sent. */
  @Column('uuid')
  fromVersionId!: string;

  @Column('text')
  status!: string;

  @Column('text', { nullable: true })
  messageId!: string | null;

  @Column('text', { nullable: true })
  lastError!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;
}
