import Fastify from 'fastify';
import { Pool } from 'pg';
import type { ActivityView, CatalogVersionView, SectionView } from '../libs/catalog';
import type { BaselineFactory } from './harness/scenario';

// The same two queries as CatalogService.getVersion (libs/catalog/catalog.service.ts), the same
// response object, straight on pg and Fastify: what the app's framework layers are measured against.

interface VersionRow {
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

interface ActivityRow {
  section_key: string;
  section_title: string;
  section_phase: ActivityView['phase'];
  key: string;
  title: string;
  phase: ActivityView['phase'];
  cadence: string | null;
  raci: Record<string, string>;
  raw: string;
  certain: boolean;
  source: string;
  note: string | null;
  optional: boolean;
}

const VERSION_SQL = `SELECT v.id, c.key, c.name, c.provider, v.version, v.published_on::text AS published_on, v.source_title,
              v.source_url, v.content_hash, v.parties
         FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id
        WHERE c.key = $1 AND ($2 = 'latest' OR v.version = $2)
        ORDER BY v.published_on DESC, v.version DESC
        LIMIT 1`;

const ACTIVITIES_SQL = `SELECT s.key AS section_key, s.title AS section_title, s.phase AS section_phase,
              a.key, a.title, a.phase, a.cadence, a.raci, a.raw, a.certain, a.source, a.note, a.optional
         FROM activity a JOIN catalog_section s ON s.id = a.section_id
        WHERE a.version_id = $1
        ORDER BY s.position, a.position`;

function toView(v: VersionRow, rows: ActivityRow[]): CatalogVersionView {
  const sections: SectionView[] = [];
  const counts = { activities: 0, customerDuties: 0, providerCommitments: 0, uncertain: 0 };
  for (const r of rows) {
    let section = sections[sections.length - 1];
    if (section?.key !== r.section_key) sections.push((section = { key: r.section_key, title: r.section_title, phase: r.section_phase, activities: [] }));
    const customerDuty = /[RA]/.test(r.raci.customer ?? '');
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

export const createBaseline: BaselineFactory = async ({ db, poolSize }) => {
  const pool = new Pool({ connectionString: db.appUrl, max: poolSize, application_name: 'dutybook-bench-baseline', connectionTimeoutMillis: 5000 });
  // An idle client dropped by the server (Postgres stopping) must not crash the process; TypeORM
  // does the same for the app.
  pool.on('error', () => undefined);
  const app = Fastify({ logger: false });
  app.addHook('onClose', async () => pool.end());
  app.get<{ Params: { key: string; version: string } }>('/api/v1/catalogs/:key/versions/:version', async (request, reply) => {
    const { key, version } = request.params;
    const found = await pool.query<VersionRow>(VERSION_SQL, [key, version]);
    const v = found.rows[0];
    if (!v) return reply.code(404).send({ statusCode: 404, code: 'CATALOG_NOT_FOUND', message: `No catalog ${key} version ${version}.` });
    const rows = await pool.query<ActivityRow>(ACTIVITIES_SQL, [v.id]);
    const view = toView(v, rows.rows);
    void reply.header('etag', `"${view.contentHash}"`).header('cache-control', version === 'latest' ? 'no-cache' : 'public, max-age=300');
    return view;
  });
  return Promise.resolve(app);
};
