import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { Phase, RaciMap } from './catalog.model';

@Entity('catalog')
export class CatalogEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index({ unique: true })
  @Column('text')
  key!: string;

  @Column('text')
  name!: string;

  @Column('text')
  provider!: string;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @OneToMany(() => CatalogVersionEntity, (v) => v.catalog)
  versions!: Relation<CatalogVersionEntity[]>;
}

@Entity('catalog_version')
@Index(['catalogId', 'version'], { unique: true })
export class CatalogVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  catalogId!: string;

  @ManyToOne(() => CatalogEntity, (c) => c.versions, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'catalog_id' })
  catalog!: Relation<CatalogEntity>;

  @Column('text')
  version!: string;

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
}

@Entity('catalog_section')
@Index(['versionId', 'key'], { unique: true })
export class CatalogSectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  versionId!: string;

  @ManyToOne(() => CatalogVersionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'version_id' })
  catalogVersion!: Relation<CatalogVersionEntity>;

  @Column('text')
  key!: string;

  @Column('text')
  title!: string;

  @Column('text')
  phase!: Phase;

  @Column('int')
  position!: number;
}

@Entity('activity')
@Index(['versionId', 'key'], { unique: true })
export class ActivityEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  versionId!: string;

  @ManyToOne(() => CatalogVersionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'version_id' })
  catalogVersion!: Relation<CatalogVersionEntity>;

  @Column('uuid')
  sectionId!: string;

  @ManyToOne(() => CatalogSectionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'section_id' })
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
  @Column({ type: 'boolean', insert: false, update: false, generatedType: 'STORED', asExpression: `(raci->>'customer') ~ '[RA]'` })
  customerDuty!: boolean;
}

export const CATALOG_ENTITIES = [CatalogEntity, CatalogVersionEntity, CatalogSectionEntity, ActivityEntity];
