import Fastify from 'fastify';
import { Pool } from 'pg';
import { summaryQuery, toSummaryView, type SummaryRow } from '../libs/tasks';
import type { BaselineFactory, Json } from './harness/scenario';

interface SummaryState {
  readonly userId: string;
}

// The same SQL as the app, statement for statement, as the same app role: the membership role
// (app_member_role), then, in a row-level-security transaction, the tenant's time zone (as
// TenantsService.timeZone reads it) and the summary (summaryQuery, the text TaskRepository.summary
// runs, taken through libs/tasks' public door), and the same shaping
// (toSummaryView). What it skips is the framework and the token: no Nest, no passport, no JWT
// verification, no validation, no request log.
export const createBaseline: BaselineFactory<Json> = (context) => {
  const state = context.state as unknown as SummaryState | null;
  if (!state) throw new Error('summary baseline needs the setup state');
  const pool = new Pool({ connectionString: context.db.appUrl, max: context.poolSize });
  pool.on('error', () => undefined);
  const app = Fastify({ logger: false });
  app.get<{ Params: { tenantId: string } }>('/api/v1/tenants/:tenantId/summary', async (request, reply) => {
    const tenantId = request.params.tenantId;
    const role = (await pool.query<{ role: string | null }>('SELECT app_member_role($1, $2) AS role', [tenantId, state.userId])).rows[0]
      ?.role;
    if (!role) return reply.status(404).send({ statusCode: 404, code: 'TENANT_NOT_FOUND' });
    const client = await pool.connect();
    try {
      await client.query(
        `BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true), set_config('app.user_id', '${state.userId}', true)`,
      );
      const zone = (await client.query<{ time_zone: string }>('SELECT time_zone FROM tenant WHERE id = $1', [tenantId])).rows[0]?.time_zone;
      if (!zone) throw new Error('summary: no tenant');
      const q = summaryQuery(tenantId, zone);
      // A named statement, as the app runs it (preparedQuery): planned once per connection.
      const { rows } = await client.query<SummaryRow>({ name: q.name, text: q.sql, values: q.params });
      await client.query('COMMIT');
      const [row] = rows;
      if (!row) throw new Error('summary: no row');
      return toSummaryView(row);
    } finally {
      client.release();
    }
  });
  app.addHook('onClose', async () => pool.end());
  return Promise.resolve(app);
};
