import Fastify from 'fastify';
import { Pool } from 'pg';
import type { BaselineFactory, Json } from './harness/scenario';

// The tenant's row with the same SELECT as TenantsService.get, no token, no membership check,
// no row-level-security transaction (it connects as the superuser of the bench database).
export const createBaseline: BaselineFactory<Json> = (context) => {
  const pool = new Pool({ connectionString: context.db.adminUrl, max: context.poolSize });
  const app = Fastify({ logger: false });
  app.get<{ Params: { tenantId: string } }>('/api/v1/tenants/:tenantId', async (request, reply) => {
    const { rows } = await pool.query<{ id: string; name: string; created_at: Date }>('SELECT id, name, created_at FROM tenant WHERE id = $1', [request.params.tenantId]);
    const row = rows[0];
    if (!row) return reply.status(404).send({ statusCode: 404, code: 'TENANT_NOT_FOUND' });
    return { id: row.id, name: row.name, createdAt: row.created_at.toISOString(), role: 'auditor' };
  });
  app.addHook('onClose', async () => pool.end());
  return Promise.resolve(app);
};
