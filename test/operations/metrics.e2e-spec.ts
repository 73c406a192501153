import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { QUEUES } from '../../apps/worker/queues';
import { createJobQueue, freePort } from '../../libs/db';
import { ReminderSender, UnsubscribeTokens } from '../../libs/reminders';
import { Mailer } from '../../libs/notify';
import { jwtSecret } from '../../libs/tenancy';
import type { TestApp } from '../harness/app';
import { upload } from '../evidence/setup';
import { accounts, bootWorld, MAIL_QUEUE, notifications, reminderTenant, setTask, sweep, type World } from '../reminders/setup';
import { caller, signup, uniqueEmail, type Account } from '../harness/api';
import { quietLogger } from '../harness/database';

// Issue 13 item 6: Prometheus metrics on METRICS_PORT, read back by a parser nobody here wrote
// (Python's prometheus_client, Debian's python3-prometheus-client: Debian's own python3, not
// whatever python3 comes first on PATH).
interface Sample {
  name: string;
  labels: Record<string, string>;
  /** NaN and the infinities, which the text format allows and JSON cannot carry, as 'NaN', '+Inf', '-Inf'. */
  value: number | string;
}
interface Family {
  name: string;
  type: string;
  samples: Sample[];
}

// A sample may be NaN (prom-client's event-loop lag mean when no delay was sampled since the last
// scrape): JSON has no NaN, so non-finite values travel as the text format spells them.
const PARSE = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
def value(v):
    if math.isfinite(v): return v
    return "NaN" if math.isnan(v) else ("+Inf" if v > 0 else "-Inf")
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "samples": [{"name": s.name, "labels": s.labels, "value": value(s.value)} for s in f.samples]})
print(json.dumps(out, allow_nan=False))
`;

function parse(text: string): Map<string, Family> {
  const result = spawnSync('/usr/bin/python3', ['-c', PARSE], { input: text, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`prometheus_client could not parse the scrape: ${result.stderr}`);
  return new Map((JSON.parse(result.stdout) as Family[]).map((f) => [f.name, f]));
}

let w: World;
let t: TestApp;
let port: number;
let admin: Account;

beforeAll(async () => {
  port = await freePort();
  // Login limit per address 2 per window, the per-(account, address) delays out of the way: the
  // refusals counted below are the address ceiling's.
  w = await bootWorld({ METRICS_PORT: String(port), RATE_LIMIT_LOGIN_IP: '2/15m', RATE_LIMIT_LOGIN_ACCOUNT_SOURCE: '100/15m' });
  t = w.t;
  admin = await signup(t.app);
});
afterAll(async () => w.close());

async function scrape(): Promise<Map<string, Family>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

const typeOf = (all: Map<string, Family>, name: string): string | undefined => all.get(name)?.type;

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
    // Ours are always numbers (NaN is left to prom-client's process metrics).
    const notFinite = [...families.values()]
      .filter((f) => f.name.startsWith('dutybook_'))
      .flatMap((f) => f.samples.filter((s) => typeof s.value !== 'number'));
    expect(notFinite).toEqual([]);
    const pool = families.get('dutybook_db_pool_connections');
    expect(pool?.samples.map((s) => s.labels.state).sort()).toEqual(['idle', 'in_use', 'waiting']);
    const jobs = families.get('dutybook_jobs');
    expect(jobs?.samples).toContainEqual(
      expect.objectContaining({ labels: { queue: QUEUES.housekeeping.name, state: 'created' }, value: 1 }),
    );
    expect(families.get('dutybook_process_cpu_seconds')?.type).toBe('counter');
    expect(families.has('dutybook_nodejs_eventloop_lag_seconds')).toBe(true);
  });

  const sample = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined => {
    const value = families
      .get(name.replace(/_total$/, ''))
      ?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    return typeof value === 'string' ? Number.NaN : value;
  };

  it('counts notifications by status across tenants: 3 queued, then 3 sent', async () => {
    const before = await scrape();
    expect(typeOf(before, 'dutybook_notifications')).toBe('gauge');
    const queued0 = sample(before, 'dutybook_notifications', { status: 'queued' });
    const sent0 = sample(before, 'dutybook_notifications', { status: 'sent' });
    expect(queued0).toBe(0);
    expect(sent0).toBe(0);
    // Three members of two tenants, each with one task due in 7 days: three due-soon mails.
    const people = await accounts(w, 3, 'metrics');
    const first = await reminderTenant(w, admin, {
      members: [
        [people[0]!, 'member'],
        [people[1]!, 'member'],
      ],
    });
    const second = await reminderTenant(w, admin, { members: [[people[2]!, 'member']] });
    await setTask(w, first.tasks['PX-15']!, { dueDate: '2026-04-10', assigneeId: people[0]!.userId });
    await setTask(w, first.tasks['PX-03']!, { dueDate: '2026-04-10', assigneeId: people[1]!.userId });
    await setTask(w, second.tasks['PX-15']!, { dueDate: '2026-04-10', assigneeId: people[2]!.userId });
    await sweep(w, '2026-04-03T10:00:00Z');
    const rows = [...(await notifications(w, first.tenantId)), ...(await notifications(w, second.tenantId))];
    expect(rows).toHaveLength(3);
    expect(sample(await scrape(), 'dutybook_notifications', { status: 'queued' })).toBe(3);

    // Delivered for real (no SMTP_URL: .eml files under DATA_DIR/outbox).
    const mailer = new Mailer(t.config, quietLogger());
    try {
      const sender = new ReminderSender(
        w.db,
        w.boss,
        mailer,
        new UnsubscribeTokens(jwtSecret(t.config)),
        { publicUrl: t.config.publicUrl, queue: MAIL_QUEUE, now: () => new Date('2026-04-03T10:00:00Z') },
        quietLogger(),
      );
      for (const [tenantId, list] of [
        [first.tenantId, rows.slice(0, 2)],
        [second.tenantId, rows.slice(2)],
      ] as const)
        for (const n of list) expect(await sender.deliver({ tenantId, notificationId: n.id })).toBe('sent');
    } finally {
      mailer.close();
    }
    const after = await scrape();
    expect(sample(after, 'dutybook_notifications', { status: 'sent' })).toBe(3);
    expect(sample(after, 'dutybook_notifications', { status: 'queued' })).toBe(0);
    expect(sample(after, 'dutybook_notifications', { status: 'failed' })).toBe(0);
  });

  it('counts evidence bytes stored: an upload of N bytes grows the gauge by N', async () => {
    const before = await scrape();
    expect(typeOf(before, 'dutybook_evidence_bytes')).toBe('gauge');
    const bytes0 = sample(before, 'dutybook_evidence_bytes') ?? NaN;
    const files0 = sample(before, 'dutybook_evidence_files') ?? NaN;
    const tenant = await reminderTenant(w, admin);
    const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(12_345, 0x20), Buffer.from('\n%%EOF\n')]);
    const res = await upload(w.call, admin.accessToken, tenant.tenantId, tenant.tasks['PX-15']!, {
      filename: 'proof.pdf',
      content,
      contentType: 'application/pdf',
    });
    expect(res.statusCode).toBe(201);
    // A note is evidence without a file: no bytes.
    const note = await w.call({
      method: 'POST',
      url: `/api/v1/tenants/${tenant.tenantId}/tasks/${tenant.tasks['PX-15']!}/evidence`,
      token: admin.accessToken,
      payload: { kind: 'note', text: 'checked by hand' },
    });
    expect(note.statusCode).toBe(201);
    const after = await scrape();
    expect(sample(after, 'dutybook_evidence_bytes')).toBe(bytes0 + content.length);
    expect(sample(after, 'dutybook_evidence_files')).toBe(files0 + 1);
  });

  it('counts rate-limit refusals by limit: 3 refused logins, 3 counted', async () => {
    const call = caller(t.app);
    const login = (email: string) =>
      call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'not-the-password-1' } });
    // Two failures fill the address's allowance (2 per window); the next three are refused.
    for (let i = 0; i < 2; i++) expect((await login(uniqueEmail('guess'))).statusCode).toBe(401);
    for (let i = 0; i < 3; i++) {
      const refused = await login(uniqueEmail('guess'));
      expect(refused.statusCode).toBe(429);
      expect(refused.json<{ code: string }>().code).toBe('RATE_LIMITED');
    }
    const families = await scrape();
    expect(families.get('dutybook_rate_limit_refusals')?.type).toBe('counter');
    expect(sample(families, 'dutybook_rate_limit_refusals_total', { limit: 'login-ip' })).toBe(3);
    expect(sample(families, 'dutybook_rate_limit_refusals_total', { limit: 'login-account' })).toBeUndefined();
  });

  it('is not served on the public port', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
  });
});
