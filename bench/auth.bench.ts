import { randomUUID } from 'node:crypto';
import { runBench } from './harness/runner';
import type { BenchDatabase, ProbeResponse, Scenario } from './harness/scenario';
// The app child verifies with the run's secret (BENCH_JWT_SECRET, set when this is imported).
import { accessToken, withAdmin } from './harness/tenants';

interface AuthState {
  readonly [key: string]: string;
  tenantId: string;
  userId: string;
  token: string;
}

async function setup(db: BenchDatabase): Promise<AuthState> {
  const userId = randomUUID();
  const tenantId = randomUUID();
  await withAdmin(db, async (client) => {
    await client.query("INSERT INTO app_user (id, email, name, password_hash) VALUES ($1, 'bench@example.test', 'Bench', 'not-a-hash')", [
      userId,
    ]);
    await client.query("INSERT INTO tenant (id, name, created_by) VALUES ($1, 'Bench Tenant', $2)", [tenantId, userId]);
    await client.query("INSERT INTO membership (tenant_id, user_id, role) VALUES ($1, $2, 'auditor')", [tenantId, userId]);
  });
  return { tenantId, userId, token: accessToken(userId) };
}

const bodyOf = (r: ProbeResponse): Record<string, unknown> =>
  typeof r.body === 'object' && r.body !== null ? (r.body as Record<string, unknown>) : {};

/** GET /tenants/:tenantId with a bearer token: JWT check, membership lookup, RLS transactions. */
export const authScenario: Scenario<AuthState> = {
  name: 'auth (authenticated GET /tenants/:tenantId)',
  targetRatio: 0.5,
  baselineModule: require.resolve('./auth.baseline'),
  setup,
  requests: (state) => {
    if (!state) throw new Error('auth bench needs its setup state');
    return [
      {
        method: 'GET',
        path: `/api/v1/tenants/${state.tenantId}`,
        headers: { authorization: `Bearer ${state.token}`, accept: 'application/json' },
      },
    ];
  },
  compare: (app, baseline) => {
    const a = bodyOf(app);
    const b = bodyOf(baseline);
    return ['id', 'name', 'createdAt']
      .filter((k) => a[k] !== b[k])
      .map((k) => `${k} differs: app ${String(a[k])}, baseline ${String(b[k])}`);
  },
};

if (require.main === module) runBench(authScenario);
