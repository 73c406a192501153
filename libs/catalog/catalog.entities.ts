import {
  Check,
  Column,
  Entity,
  ForeignKey,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  Unique,
  type Relation,
} from 'typeorm';
import type { Phase, RaciMap } from './catalog.model';

/**
 * The catalog aggregate: a catalog, its immutable versions, their sections and activities.
 * Names are the migrations' (1764000000000-catalog, 1764000600000-catalog-data-access).
 *
 * `tenant_id` NULL is a global catalog (seeds, the operator's CLI); otherwise the catalog is private
 * to that tenant. Versions, sections and activities carry their catalog's tenant_id too, written by
 * CatalogRepository.insertVersion (the one writer), so row-level security filters each table on
 * its own column without a join (docs/catalog-format.md).
 */
@Entity('catalog')
@Check('catalog_key_format', `key ~ '^[a-z0-9][a-z0-9-]{1,63}$'`)
// A global key is unique among global catalogs; a private key within its tenant.
@Index('catalog_global_key_unique', ['key'], { unique: true, where: 'tenant_id IS NULL' })
@Index('catalog_tenant_key_unique', ['tenantId', 'key'], { unique: true, where: 'tenant_id IS NOT NULL' })
export class CatalogEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'catalog_pkey' })
  id!: string;

  @Column('text')
  key!: string;

  @Column('text')
  name!: string;

  @Column('text')
  provider!: string;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  /** NULL: global. Else the tenant the catalog is private to. */
  @Column('uuid', { nullable: true })
  @ForeignKey('tenant', { name: 'catalog_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId!: string | null;

  @OneToMany(() => CatalogVersionEntity, (v) => v.catalog)
  versions!: Relation<CatalogVersionEntity[]>;
}

@Entity('catalog_version')
@Unique('catalog_version_unique', ['catalogId', 'version'])
@Unique('catalog_version_seq_unique', ['catalogId', 'seq'])
@Check('catalog_version_has_customer', `'customer' = ANY (parties)`)
export class CatalogVersionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'catalog_version_pkey' })
  id!: string;

  @Column('uuid')
  catalogId!: string;

  @ManyToOne(() => CatalogEntity, (c) => c.versions, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'catalog_id', foreignKeyConstraintName: 'catalog_version_catalog_id_fkey' })
  catalog!: Relation<CatalogEntity>;

  @Column('text')
  version!: string;

  /**
   * Load order within the catalog, 1, 2, ...: the highest is the catalog's latest version. Assigned
   * when the version is stored (published dates do not order readings of a page, docs/catalog-format.md).
   */
  @Column('int')
  seq!: number;

  @Column('date')
  publishedOn!: string;

  @Column('text')
  sourceTitle!: string;

  @Column('text', { nullable: true })
  sourceUrl!: string | null;

  /** Who published the source this version was read from. */
  @Column('text', { nullable: true })
  publisher!: string | null;

  /** The source's licence, e.g. `CC BY-NC-SA 4.0`. */
  @Column('text', { nullable: true })
  license!: string | null;

  @Column('date', { nullable: true })
  retrievedOn!: string | null;

  /** The copy of the source in the repository (`seeds/catalogs/sources/...`). */
  @Column('text', { nullable: true })
  sourcePath!: string | null;

  /** sha256 of the canonical JSON of the loaded file: the identity of this version's content. */
  @Column('char', { length: 64 })
  contentHash!: string;

  @Column('text', { array: true })
  parties!: string[];

  @Column('timestamptz', { default: () => 'now()' })
  loadedAt!: Date;

  /** The catalog's tenant_id (row-level security). */
  @Column('uuid', { nullable: true })
  tenantId!: string | null;
}

const PHASE_CHECK = `phase IN ('before_subscription', 'setup', 'operations', 'reversibility', 'end_of_service')`;

@Entity('catalog_section')
@Unique('catalog_section_unique', ['versionId', 'key'])
@Check('catalog_section_phase', PHASE_CHECK)
export class CatalogSectionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'catalog_section_pkey' })
  id!: string;

  @Column('uuid')
  versionId!: string;

  @ManyToOne(() => CatalogVersionEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'version_id', foreignKeyConstraintName: 'catalog_section_version_id_fkey' })
  catalogVersion!: Relation<CatalogVersionEntity>;

  @Column('text')
  key!: string;

  @Column('text')
  title!: string;

  @Column('text')
  phase!: Phase;

  @Column('int')
  position!: number;

  /** The catalog's tenant_id (row-level security). */
  @Column('uuid', { nullable: true })
  tenantId!: string | null;
}

/** As ActivityEntity.customerDuty declares it; migration 1764000600000 records it for TypeORM. */
export const CUSTOMER_DUTY_EXPRESSION = `(raci->>'customer') ~ '[RA]'`;

@Entity('activity')
@Unique('activity_unique', ['versionId', 'key'])
@Check('activity_phase', PHASE_CHECK)
@Check('activity_raci_object', `jsonb_typeof(raci) = 'object' AND raci ? 'customer'`)
@Check('activity_source', `source IN ('table', 'reading')`)
@Check('activity_cadence', `cadence ~ '^(once|on_event|P1M|P3M|P6M|P1Y|once\\+(P1M|P3M|P6M|P1Y))$'`)
@Check('activity_duty_has_cadence', 'NOT customer_duty OR cadence IS NOT NULL')
@Index('activity_section_idx', ['sectionId'])
@Index('activity_version_position_idx', ['versionId', 'position'])
export class ActivityEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'activity_pkey' })
  id!: string;

  @Column('uuid')
  versionId!: string;

  @ManyToOne(() => CatalogVersionEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'version_id', foreignKeyConstraintName: 'activity_version_id_fkey' })
  catalogVersion!: Relation<CatalogVersionEntity>;

  @Column('uuid')
  sectionId!: string;

  @ManyToOne(() => CatalogSectionEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'section_id', foreignKeyConstraintName: 'activity_section_id_fkey' })
  section!: Relation<CatalogSectionEntity>;

  @Column('text')
  key!: string;

  @Column('int')
  position!: number;

  @Column('text')
  title!: string;

  @Column('text')
  phase!: Phase;

  /** Letters per party, canonical R/A/C/I order: {"customer":"RA","provider":"I"}. */
  @Column('jsonb')
  raci!: RaciMap;

  /** The cell text as published, before it was split between parties. */
  @Column('text')
  raw!: string;

  /** False where the split of `raw` between parties is a reading, not a certainty. */
  @Column('boolean')
  certain!: boolean;

  @Column('text')
  source!: string;

  @Column('text', { nullable: true })
  note!: string | null;

  @Column('text', { nullable: true })
  cadence!: string | null;

  @Column('boolean', { default: false })
  optional!: boolean;

  /** Derived in SQL from raci (generated column): customer holds R or A. */
  @Column({
    type: 'boolean',
    nullable: true,
    insert: false,
    update: false,
    generatedType: 'STORED',
    asExpression: CUSTOMER_DUTY_EXPRESSION,
  })
  customerDuty!: boolean;

  /** The catalog's tenant_id (row-level security). */
  @Column('uuid', { nullable: true })
  tenantId!: string | null;
}

export const CATALOG_ENTITIES = [CatalogEntity, CatalogVersionEntity, CatalogSectionEntity, ActivityEntity];
