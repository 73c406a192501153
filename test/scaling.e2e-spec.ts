import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../libs/core';
import { PASSWORD, uniqueEmail } from './harness/api';
import { createTestDatabase, query, type TestDatabase } from './harness/database';
import { startSmtpSink, type SmtpSink } from './harness/smtp-sink';
import { until } from './harness/until';

// docs/scaling.md: the api and the worker keep no state of their own. Two api processes and two
// worker processes (the built entry points, as `start:api` / `start:worker` run them) share one
// DATABASE_URL: a token from one api works on the other, every mail queued through either api is
// sent exactly once by one of the workers, and concurrent reviews through both apis have one winner.
const API = path.join(projectRoot(), 'dist', 'apps', 'api', 'main.js');
const WORKER = path.join(projectRoot(), 'dist', 'apps', 'worker', 'main.js');
const JWT_SECRET = 'scaling-test-secret-of-at-least-32-characters';

interface Proc {
  readonly child: ChildProcess;
  readonly dir: string;
  output(): string;
  lines(): Record<string, unknown>[];
}

let db: TestDatabase;
let sink: SmtpSink;
const procs: Proc[] = [];
let apis: string[] = [];

function launch(entry: string, env: Record<string, string>): Proc {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-scale-'));
  let out = '';
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATA_DIR: dir,
      DATABASE_URL: db.appUrl,
      DATABASE_OWNER_URL: db.ownerUrl,
      JWT_SECRET,
      SMTP_URL: sink.url,
      PUBLIC_URL: 'https://duty.example.test',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const proc: Proc = {
    child,
    dir,
    output: () => out,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
  procs.push(proc);
  return proc;
}

async function waitFor(proc: Proc, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(proc.output());
    if (m) return m;
    if (proc.child.exitCode !== null) throw new Error(`exited ${proc.child.exitCode}:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${String(pattern)} in ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function call(
  base: string,
  method: string,
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown>; requestId: string | null }> {
  const res = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    requestId: res.headers.get('x-request-id'),
  };
}

beforeAll(async () => {
  for (const entry of [API, WORKER])
    if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
  db = await createTestDatabase({ seed: false });
  sink = await startSmtpSink();
  // Both apis migrate and seed on start, at the same time: they take turns on the advisory lock.
  const started = [launch(API, {}), launch(API, {})];
  apis = await Promise.all(started.map(async (p) => (await waitFor(p, /Dutybook API on (http:\/\/[^/]+)\/api\/v1/))[1] ?? ''));
  const workers = [
    launch(WORKER, { MIGRATE_ON_START: 'false', SEED_ON_START: 'false' }),
    launch(WORKER, { MIGRATE_ON_START: 'false', SEED_ON_START: 'false' }),
  ];
  await Promise.all(workers.map((p) => waitFor(p, /worker ready: schedules registered/)));
}, 120_000);

afterAll(async () => {
  await Promise.all(
    procs.map(async (p) => {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        const exited = new Promise((resolve) => p.child.once('exit', resolve));
        p.child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(p.dir, { recursive: true, force: true });
    }),
  );
  await sink.close();
  await db.drop();
}, 60_000);

it('two apis and two workers on one database: stateless, no duplicate mail, no lost job, one review winner', async () => {
  const [a, b] = apis as [string, string];
  const signup = await call(a, 'POST', '/auth/signup', {
    body: { email: uniqueEmail('scale-admin'), password: PASSWORD, name: 'Scale Admin', organization: 'Scale Org' },
  });
  expect(signup.status).toBe(201);
  const admin = signup.body as { accessToken: string; tenant: { id: string } };
  const tenantId = admin.tenant.id;
  // Stateless: a token issued by one api is accepted by the other.
  expect((await call(b, 'GET', `/tenants/${tenantId}`, { token: admin.accessToken })).status).toBe(200);

  // 12 invitations, alternately through each api, all at once: 12 jobs for the two workers.
  const invited = Array.from({ length: 12 }, (_, i) => ({ email: uniqueEmail(`scale-${i}`), role: i === 0 ? 'auditor' : 'viewer' }));
  const sent = await Promise.all(
    invited.map((inv, i) => call(i % 2 === 0 ? a : b, 'POST', `/tenants/${tenantId}/invitations`, { token: admin.accessToken, body: inv })),
  );
  expect(sent.map((s) => s.status)).toEqual(invited.map(() => 201));
  const mails = await sink.waitFor(invited.length, 60_000);
  // No lost job: every invitation's job completed. A worker records completion after its
  // handler returns, so the last mail can be in the sink a moment before its job says so.
  const jobs = await until('every invitation job to complete', async () => {
    const rows = await query<{ state: string; n: string }>(
      db.adminUrl,
      "SELECT state, count(*)::text AS n FROM pgboss.job WHERE name = 'invitation-mail' GROUP BY state",
    );
    return rows.some((r) => r.state === 'active' || r.state === 'created') ? undefined : rows;
  });
  expect(jobs).toEqual([{ state: 'completed', n: String(invited.length) }]);
  // No duplicate: wait past the workers' polling and a retry's chance; still one mail each.
  await new Promise((r) => setTimeout(r, 3000));
  expect(sink.messages).toHaveLength(invited.length);
  expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(invited.map((i) => i.email).sort());

  // Traces cross processes: each api request's id is on the log line of the worker that sent its mail.
  const workerLines = procs.slice(2).flatMap((p) => p.lines().filter((l) => l.msg === 'invitation mail sent'));
  expect(workerLines.map((l) => l.requestId).sort()).toEqual(sent.map((s) => s.requestId).sort());

  // The auditor accepts through api b, with the link's token from the mail.
  const auditorMail = mails.find((m) => m.envelopeTo[0] === invited[0]?.email);
  const token = /token=([^\s"&]+)/.exec(auditorMail?.parsed.text ?? '')?.[1];
  expect(token).toBeDefined();
  const accepted = await call(b, 'POST', '/invitations/accept', {
    body: { token: decodeURIComponent(token ?? ''), name: 'Scale Auditor', password: PASSWORD },
  });
  expect(accepted.status).toBe(200);
  const auditorToken = (accepted.body as { tokens: { accessToken: string } }).tokens.accessToken;

  // A task done by the admin, reviewed by the auditor: six concurrent reviews through both apis.
  const sub = await call(a, 'POST', `/tenants/${tenantId}/subscriptions`, {
    token: admin.accessToken,
    body: { catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-01-01' },
  });
  expect(sub.status).toBe(201);
  const list = await call(b, 'GET', `/tenants/${tenantId}/tasks?limit=1`, { token: admin.accessToken });
  const taskId = (list.body as { items: { id: string }[] }).items[0]?.id ?? '';
  const task = `/tenants/${tenantId}/tasks/${taskId}`;
  expect(
    (await call(a, 'POST', `${task}/evidence`, { token: admin.accessToken, body: { kind: 'note', text: 'done by hand' } })).status,
  ).toBe(201);
  expect((await call(b, 'POST', `${task}/complete`, { token: admin.accessToken, body: {} })).status).toBe(200);
  const reviews = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      call(i % 2 === 0 ? a : b, 'POST', `${task}/reviews`, {
        token: auditorToken,
        body: i % 3 === 0 ? { decision: 'reject', comment: 'the note is not enough' } : { decision: 'approve' },
      }),
    ),
  );
  const statuses = reviews.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 200 || s === 201)).toHaveLength(1);
  expect(reviews.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(Array(5).fill('INVALID_TRANSITION'));
  const detail = await call(a, 'GET', task, { token: admin.accessToken });
  expect((detail.body as { reviews: unknown[] }).reviews).toHaveLength(1);
}, 180_000);
