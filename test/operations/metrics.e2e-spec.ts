import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { QUEUES } from '../../apps/worker/queues';
import { createJobQueue, freePort } from '../../libs/db';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, type Account } from '../harness/api';
import { quietLogger } from '../harness/database';

// Issue 13 item 6: Prometheus metrics on METRICS_PORT, read back by a parser nobody here wrote
// (Python's prometheus_client, Debian's python3-prometheus-client: Debian's own python3, not
// whatever python3 comes first on PATH).
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  name: string;
  type: string;
  samples: Sample[];
}

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]})
print(json.dumps(out))
`;

function parse(text: string): Map<string, Family> {
  const result = spawnSync('/usr/bin/python3', ['-c', PARSE], { input: text, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`prometheus_client could not parse the scrape: ${result.stderr}`);
  return new Map((JSON.parse(result.stdout) as Family[]).map((f) => [f.name, f]));
}

let t: TestApp;
let port: number;
let admin: Account;

beforeAll(async () => {
  port = await freePort();
  t = await bootTestApp({ METRICS_PORT: String(port) });
  admin = await signup(t.app);
});
afterAll(async () => t.close());

async function scrape(): Promise<Map<string, Family>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

describe('metrics', () => {
  it('times requests by route pattern and status', async () => {
    const call = caller(t.app);
    for (let i = 0; i < 3; i++) expect((await call({ method: 'GET', url: '/api/v1/me', token: admin.accessToken })).statusCode).toBe(200);
    const missing = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/tasks/${randomUUID()}`, token: admin.accessToken });
    expect(missing.statusCode).toBe(404);
    const families = await scrape();
    const http = families.get('dutybook_http_request_duration_seconds');
    expect(http?.type).toBe('histogram');
    const count = (route: string, status: string) =>
      http?.samples.find(
        (s) => s.name.endsWith('_count') && s.labels.route === route && s.labels.status === status && s.labels.method === 'GET',
      )?.value;
    expect(count('/api/v1/me', '200')).toBe(3);
    // The pattern, never the raw URL with its ids.
    expect(count('/api/v1/tenants/:tenantId/tasks/:taskId', '404')).toBe(1);
    expect(http?.samples.some((s) => (s.labels.route ?? '').includes(admin.tenantId))).toBe(false);
  });

  it('shows the database pool, the job queues and the process', async () => {
    const boss = createJobQueue(t.db.appUrl, { applicationName: 'metrics-test', schedule: false, supervise: false }, quietLogger());
    await boss.start();
    try {
      await boss.send(QUEUES.housekeeping.name, {});
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
    const families = await scrape();
    const pool = families.get('dutybook_db_pool_connections');
    expect(pool?.samples.map((s) => s.labels.state).sort()).toEqual(['idle', 'in_use', 'waiting']);
    const jobs = families.get('dutybook_jobs');
    expect(jobs?.samples).toContainEqual(
      expect.objectContaining({ labels: { queue: QUEUES.housekeeping.name, state: 'created' }, value: 1 }),
    );
    expect(families.get('dutybook_process_cpu_seconds')?.type).toBe('counter');
    expect(families.has('dutybook_nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('is not served on the public port', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
  });
});
