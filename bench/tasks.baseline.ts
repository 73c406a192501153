import Fastify from 'fastify';
import { Pool } from 'pg';
import { taskListQuery, taskPage, type TaskRow } from '../libs/tasks';
import type { BaselineFactory, Json } from './harness/scenario';

// The same list SQL as TasksService.list (taskListQuery) and the same page shaping, without
// token, membership check or row-level-security transaction (superuser connection).
export const createBaseline: BaselineFactory<Json> = (context) => {
  const pool = new Pool({ connectionString: context.db.adminUrl, max: context.poolSize });
  const app = Fastify({ logger: false });
  app.get<{ Params: { tenantId: string }; Querystring: { limit?: string } }>('/api/v1/tenants/:tenantId/tasks', async (request) => {
    const limit = Number(request.query.limit ?? 50);
    const q = taskListQuery(request.params.tenantId, { overdue: true, limit });
    const { rows } = await pool.query<TaskRow>(q.sql, q.params);
    return taskPage(rows, limit);
  });
  app.addHook('onClose', async () => pool.end());
  return Promise.resolve(app);
};
