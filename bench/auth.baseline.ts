import Fastify from 'fastify';
import { Pool } from 'pg';
import { TENANCY_QUERIES } from '../libs/tenancy';
import type { BaselineFactory, Json } from './harness/scenario';

interface AuthState {
  readonly userId: string;
}

// The same SQL as the app (TENANCY_QUERIES, what its repositories run), statement for statement, as the same app role: the membership role
// (app_member_role), then the tenant read in a row-level-security transaction with BEGIN and the
// scope sent together. What it skips is the framework and the token: no Nest, no passport, no
// JWT verification. (The user id comes from the setup state instead of the token.)
export const createBaseline: BaselineFactory<Json> = (context) => {
  const state = context.state as unknown as AuthState | null;
  if (!state) throw new Error('auth baseline needs the setup state');
  const pool = new Pool({ connectionString: context.db.appUrl, max: context.poolSize });
  pool.on('error', () => undefined);
  const app = Fastify({ logger: false });
  app.get<{ Params: { tenantId: string } }>('/api/v1/tenants/:tenantId', async (request, reply) => {
    const tenantId = request.params.tenantId;
    const role = (await pool.query<{ role: string | null }>(TENANCY_QUERIES.memberRole, [tenantId, state.userId])).rows[0]?.role;
    if (!role) return reply.status(404).send({ statusCode: 404, code: 'TENANT_NOT_FOUND' });
    const client = await pool.connect();
    try {
      await client.query(
        `BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true), set_config('app.user_id', '${state.userId}', true)`,
      );
      const { rows } = await client.query<{ id: string; name: string; createdAt: Date }>(TENANCY_QUERIES.tenantById, [tenantId]);
      await client.query('COMMIT');
      const row = rows[0];
      if (!row) return await reply.status(404).send({ statusCode: 404, code: 'TENANT_NOT_FOUND' });
      return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString(), role };
    } finally {
      client.release();
    }
  });
  app.addHook('onClose', async () => pool.end());
  return Promise.resolve(app);
};
