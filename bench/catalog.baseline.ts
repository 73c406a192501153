import Fastify from 'fastify';
import { Pool } from 'pg';
import { ACTIVITIES_SQL, toVersionView, VERSION_SQL, type ActivityRow, type VersionRow } from '../libs/catalog';
import type { BaselineFactory } from './harness/scenario';

// The same two queries as CatalogService.getVersion (libs/catalog/catalog.service.ts), the same
// response object, straight on pg and Fastify: what the app's framework layers are measured against.

export const createBaseline: BaselineFactory = async ({ db, poolSize }) => {
  const pool = new Pool({
    connectionString: db.appUrl,
    max: poolSize,
    application_name: 'dutybook-bench-baseline',
    connectionTimeoutMillis: 5000,
  });
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
    const view = toVersionView(v, rows.rows);
    void reply.header('etag', `"${view.contentHash}"`).header('cache-control', version === 'latest' ? 'no-cache' : 'public, max-age=300');
    return view;
  });
  return Promise.resolve(app);
};
