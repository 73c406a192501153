import { Injectable } from '@nestjs/common';
import type { TenantContext } from '../core';
import { TenantDb } from '../db';
import { CatalogKeyTakenError, CatalogNotFoundError, CatalogVersionExistsError } from './catalog.errors';
import { isCustomerDuty, type Phase, type RaciMap } from './catalog.model';
import { CatalogRepository, type ActivityRow, type VersionRow } from './catalog.repository';
import { diffCatalogs, type CatalogDiff } from './import/activity-match';
import { importCatalog } from './import/catalog.importer';
import type { ImportOptions, ImportResult } from './import/import.types';

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

/** Where a version's content comes from, and under which terms. */
export interface AttributionView {
  sourceUrl: string | null;
  publisher: string | null;
  license: string | null;
  retrievedOn: string | null;
}

export interface CatalogVersionSummary extends AttributionView {
  version: string;
  /** Load order within the catalog (1, 2, ...): the highest is `latest`. */
  seq: number;
  publishedOn: string;
  contentHash: string;
  activityCount: number;
  customerDutyCount: number;
  latest: boolean;
}

export interface CatalogSummary {
  key: string;
  name: string;
  provider: string;
  /** `global`, or `tenant`: private to the caller's tenant. */
  scope: 'global' | 'tenant';
  /** Newest first (`latest` is the first). */
  versions: CatalogVersionSummary[];
}

export interface CatalogVersionView extends AttributionView {
  key: string;
  name: string;
  provider: string;
  scope: 'global' | 'tenant';
  version: string;
  seq: number;
  publishedOn: string;
  sourceTitle: string;
  sourcePath: string | null;
  contentHash: string;
  parties: string[];
  counts: { activities: number; customerDuties: number; providerCommitments: number; uncertain: number };
  sections: SectionView[];
}

export interface CatalogDiffView extends CatalogDiff {
  key: string;
  from: string;
  to: string;
}

/** What an import answers: the CLI's `--json` summary, plus what happened to it. */
export interface ImportSummary {
  key: string;
  version: string;
  activities: number;
  customerDuties: number;
  providerCommitments: number;
  uncertain: number;
  warnings: ImportResult['warnings'];
  matches: ImportResult['matches'];
  stored: 'loaded' | 'unchanged' | 'dry-run';
}

export function importSummary(r: ImportResult, stored: ImportSummary['stored']): ImportSummary {
  return { key: r.catalog.key, version: r.catalog.version, ...r.counts, warnings: r.warnings, matches: r.matches, stored };
}

/**
 * Provider catalogs. `ctx` null: the public routes, which see global catalogs only (outside a unit
 * of work row-level security shows no tenant's catalog). With a tenant context: that tenant's unit
 * of work, which sees global catalogs plus the tenant's private ones.
 */
@Injectable()
export class CatalogService {
  constructor(
    private readonly db: TenantDb,
    private readonly repo: CatalogRepository,
  ) {}

  private within<T>(ctx: TenantContext | null, fn: () => Promise<T>): Promise<T> {
    return ctx ? this.db.run(ctx, fn) : fn();
  }

  async list(ctx: TenantContext | null): Promise<CatalogSummary[]> {
    return this.within(ctx, async () => summaries(await this.repo.versionCounts()));
  }

  /** The versions of one catalog, newest first, with attribution. */
  async versions(ctx: TenantContext | null, key: string): Promise<CatalogSummary> {
    return this.within(ctx, async () => {
      const [summary] = summaries(await this.repo.versionCounts(key));
      if (!summary) throw new CatalogNotFoundError(key);
      return summary;
    });
  }

  /** `version` may be `latest`: the version stored last. */
  async getVersion(ctx: TenantContext | null, key: string, version: string): Promise<CatalogVersionView> {
    return this.within(ctx, async () => {
      const v = await this.repo.findVersion(key, version);
      if (!v) throw new CatalogNotFoundError(key, version);
      return toVersionView(v, await this.repo.activities(v.id));
    });
  }

  /** What changed from one version to another (either may be `latest`). */
  async diff(ctx: TenantContext | null, key: string, from: string, to: string): Promise<CatalogDiffView> {
    return this.within(ctx, async () => {
      const [a, b] = [await this.repo.definition(key, from), await this.repo.definition(key, to)];
      if (!a) throw new CatalogNotFoundError(key, from);
      if (!b) throw new CatalogNotFoundError(key, to);
      return { key, from: a.version, to: b.version, ...diffCatalogs(a, b) };
    });
  }

  /**
   * Imports a catalog file as a private catalog of the tenant (the API's import; admins only, the
   * controller checks the role), in one unit of work. When the tenant already has this catalog, the
   * file is read against its latest version to keep its keys. `dryRun`: everything but storing.
   */
  async importPrivate(ctx: TenantContext, bytes: Uint8Array, options: ImportOptions, dryRun: boolean): Promise<ImportSummary> {
    // Parsing is pure and may take a while on a big file: before the transaction opens.
    let result = importCatalog(bytes, options);
    return this.db.run(ctx, async () => {
      if (await this.repo.globalKeyExists(result.catalog.key)) throw new CatalogKeyTakenError(result.catalog.key);
      const previous = await this.repo.definition(result.catalog.key, 'latest');
      if (previous && result.matches.some((m) => m.by !== 'source')) result = importCatalog(bytes, { ...options, previous });
      if (dryRun) return importSummary(result, 'dry-run');
      const { outcome } = await this.repo.store(result.catalog, ctx.tenantId, { requestId: ctx.requestId });
      if (outcome === 'conflict') throw new CatalogVersionExistsError(result.catalog.key, result.catalog.version);
      return importSummary(result, outcome);
    });
  }
}

function summaries(rows: Awaited<ReturnType<CatalogRepository['versionCounts']>>): CatalogSummary[] {
  const byKey = new Map<string, CatalogSummary>();
  for (const r of rows) {
    const id = `${r.tenant_id ?? ''}/${r.key}`;
    let c = byKey.get(id);
    if (!c) byKey.set(id, (c = { key: r.key, name: r.name, provider: r.provider, scope: r.tenant_id ? 'tenant' : 'global', versions: [] }));
    c.versions.push({
      version: r.version,
      seq: r.seq,
      publishedOn: r.published_on,
      contentHash: r.content_hash,
      activityCount: r.activities,
      customerDutyCount: r.duties,
      sourceUrl: r.source_url,
      publisher: r.publisher,
      license: r.license,
      retrievedOn: r.retrieved_on,
      latest: c.versions.length === 0,
    });
  }
  return [...byKey.values()];
}

/** Shapes the two queries' rows into the API view (shared with the benchmark baseline). */
export function toVersionView(v: VersionRow, rows: readonly ActivityRow[]): CatalogVersionView {
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
    scope: v.tenant_id ? 'tenant' : 'global',
    version: v.version,
    seq: v.seq,
    publishedOn: v.published_on,
    sourceTitle: v.source_title,
    sourceUrl: v.source_url,
    sourcePath: v.source_path,
    publisher: v.publisher,
    license: v.license,
    retrievedOn: v.retrieved_on,
    contentHash: v.content_hash,
    parties: v.parties,
    counts,
    sections,
  };
}
