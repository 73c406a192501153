import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CatalogNotFoundError } from './catalog.errors';
import { isCustomerDuty, type Phase, type RaciMap } from './catalog.model';

export interface ActivityView {
  key: string;
  title: string;
  section: string;
  phase: Phase;
  cadence: string | null;
  raci: RaciMap;
  raw: string;
  certain: boolean;
  source: string;
  note: string | null;
  optional: boolean;
  customerDuty: boolean;
}

export interface SectionView {
  key: string;
  title: string;
  phase: Phase;
  activities: ActivityView[];
}

export interface CatalogVersionSummary {
  version: string;
  publishedOn: string;
  contentHash: string;
  activityCount: number;
  customerDutyCount: number;
}

export interface CatalogSummary {
  key: string;
  name: string;
  provider: string;
  versions: CatalogVersionSummary[];
}

export interface CatalogVersionView {
  key: string;
  name: string;
  provider: string;
  version: string;
  publishedOn: string;
  sourceTitle: string;
  sourceUrl: string | null;
  contentHash: string;
  parties: string[];
  counts: { activities: number; customerDuties: number; providerCommitments: number; uncertain: number };
  sections: SectionView[];
}

export interface VersionRow {
  id: string;
  key: string;
  name: string;
  provider: string;
  version: string;
  published_on: string;
  source_title: string;
  source_url: string | null;
  content_hash: string;
  parties: string[];
}

export interface ActivityRow {
  section_key: string;
  section_title: string;
  section_phase: Phase;
  key: string;
  title: string;
  phase: Phase;
  cadence: string | null;
  raci: RaciMap;
  raw: string;
  certain: boolean;
  source: string;
  note: string | null;
  optional: boolean;
}

/** One catalog version (`latest`: the newest). */
export const VERSION_SQL = `SELECT v.id, c.key, c.name, c.provider, v.version, v.published_on::text AS published_on, v.source_title,
              v.source_url, v.content_hash, v.parties
         FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id
        WHERE c.key = $1 AND ($2 = 'latest' OR v.version = $2)
        ORDER BY v.published_on DESC, v.version DESC
        LIMIT 1`;

/** Its activities in section order. */
export const ACTIVITIES_SQL = `SELECT s.key AS section_key, s.title AS section_title, s.phase AS section_phase,
              a.key, a.title, a.phase, a.cadence, a.raci, a.raw, a.certain, a.source, a.note, a.optional
         FROM activity a JOIN catalog_section s ON s.id = a.section_id
        WHERE a.version_id = $1
        ORDER BY s.position, a.position`;

/** Read side of provider catalogs. Catalog data is global: no tenant context. */
@Injectable()
export class CatalogService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(): Promise<CatalogSummary[]> {
    const rows: (Omit<VersionRow, 'id' | 'source_title' | 'source_url' | 'parties'> & { activities: number; duties: number })[] =
      await this.ds.query(
        `SELECT c.key, c.name, c.provider, v.version, v.published_on::text AS published_on, v.content_hash,
              count(a.id)::int AS activities, count(a.id) FILTER (WHERE a.customer_duty)::int AS duties
         FROM catalog c
         JOIN catalog_version v ON v.catalog_id = c.id
         LEFT JOIN activity a ON a.version_id = v.id
        GROUP BY c.key, c.name, c.provider, v.id
        ORDER BY c.key, v.published_on DESC, v.version DESC`,
      );
    const byKey = new Map<string, CatalogSummary>();
    for (const r of rows) {
      let c = byKey.get(r.key);
      if (!c) byKey.set(r.key, (c = { key: r.key, name: r.name, provider: r.provider, versions: [] }));
      c.versions.push({
        version: r.version,
        publishedOn: r.published_on,
        contentHash: r.content_hash,
        activityCount: r.activities,
        customerDutyCount: r.duties,
      });
    }
    return [...byKey.values()];
  }

  /** `version` may be `latest`: the most recently published one. */
  async getVersion(key: string, version: string): Promise<CatalogVersionView> {
    const found: VersionRow[] = await this.ds.query(VERSION_SQL, [key, version]);
    const v = found[0];
    if (!v) throw new CatalogNotFoundError(key, version);
    const rows: ActivityRow[] = await this.ds.query(ACTIVITIES_SQL, [v.id]);
    return toVersionView(v, rows);
  }
}

/** Shapes the two queries' rows into the API view (shared with the benchmark baseline). */
export function toVersionView(v: VersionRow, rows: ActivityRow[]): CatalogVersionView {
  const sections: SectionView[] = [];
  const counts = { activities: 0, customerDuties: 0, providerCommitments: 0, uncertain: 0 };
  for (const r of rows) {
    let section = sections[sections.length - 1];
    if (section?.key !== r.section_key)
      sections.push((section = { key: r.section_key, title: r.section_title, phase: r.section_phase, activities: [] }));
    const customerDuty = isCustomerDuty(r.raci);
    counts.activities++;
    if (customerDuty) counts.customerDuties++;
    else if (/[CI]/.test(r.raci.customer ?? '')) counts.providerCommitments++;
    if (!r.certain) counts.uncertain++;
    section.activities.push({
      key: r.key,
      title: r.title,
      section: r.section_key,
      phase: r.phase,
      cadence: r.cadence,
      raci: r.raci,
      raw: r.raw,
      certain: r.certain,
      source: r.source,
      note: r.note,
      optional: r.optional,
      customerDuty,
    });
  }
  return {
    key: v.key,
    name: v.name,
    provider: v.provider,
    version: v.version,
    publishedOn: v.published_on,
    sourceTitle: v.source_title,
    sourceUrl: v.source_url,
    contentHash: v.content_hash,
    parties: v.parties,
    counts,
    sections,
  };
}
