import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../libs/core';
import { freePort } from '../libs/db';

// The real `npm start` entry point, as built by `npm run build` (run by `npm test` first).
const MAIN = path.join(projectRoot(), 'dist', 'apps', 'main.js');

interface Started {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
}

function launch(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    // Its own process group, so a test can kill the whole group as a crash would.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return { child, output: () => out };
}

/** Starts dist/apps/main.js; without pgPort the data folder's recorded port is used. */
async function start(dataDir: string, pgPort?: number, env: Record<string, string> = {}): Promise<Started> {
  const { child, output } = launch({ DATA_DIR: dataDir, PORT: '0', ...(pgPort ? { EMBEDDED_PG_PORT: String(pgPort) } : {}), ...env });
  const deadline = Date.now() + 60000;
  for (;;) {
    const m = /Dutybook API on (http:\/\/[^/]+)\/api\/v1/.exec(output());
    if (m?.[1]) return { child, baseUrl: m[1], output };
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`not started in 60 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Live processes whose command line names the cluster folder. */
function postgresProcessesIn(clusterDir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(clusterDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The catalog versions under seeds/catalogs: Private Exchange 2024-06-26 (first reading) and 2024-06-25 (the published page). */
const SEEDED_VERSIONS = 2;

async function catalogVersions(baseUrl: string): Promise<number> {
  const res = await fetch(`${baseUrl}/api/v1/catalogs`);
  const body = (await res.json()) as { items: { versions: unknown[] }[] };
  return body.items.reduce((n, c) => n + c.versions.length, 0);
}

describe('the npm start process', () => {
  let dataDir: string;
  let pgPort: number;
  let running: Started | undefined;

  beforeAll(async () => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-proc-'));
    fs.chmodSync(dataDir, 0o711);
    pgPort = await freePort();
  });

  afterAll(async () => {
    if (running?.child.exitCode === null && running.child.pid) {
      process.kill(-running.child.pid, 'SIGKILL');
      await exited(running.child);
    }
    for (const pid of postgresProcessesIn(path.join(dataDir, 'postgres'))) process.kill(pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a bad PORT, naming it, with exit code 1', async () => {
    const { child, output } = launch({ PORT: 'abc', DATA_DIR: dataDir });
    expect(await exited(child)).toBe(1);
    expect(output()).toMatch(/PORT must be a whole number between 0 and 65535 \(got "abc"\)/);
  });

  it('starts cold on an empty DATA_DIR: ready, catalog loaded, URLs printed', async () => {
    const began = Date.now();
    running = await start(dataDir, pgPort);
    const ready = await fetch(`${running.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(Date.now() - began).toBeLessThan(15000);
    expect(running.output()).toContain(`${running.baseUrl}/docs`);
    const version = (await (await fetch(`${running.baseUrl}/api/v1/catalogs/ovhcloud-private-exchange/versions/latest`)).json()) as {
      counts: { activities: number; customerDuties: number };
    };
    // latest: the corrected catalog, loaded after the first reading (docs/catalog-format.md).
    expect(version.counts).toMatchObject({ activities: 40, customerDuties: 18 });
    // Secrets kept under DATA_DIR are readable by the owner only.
    expect(fs.statSync(path.join(dataDir, 'postgres-app.secret')).mode & 0o777).toBe(0o600);
  }, 90000);

  it('SIGTERM stops the app, then Postgres, leaving no process behind', async () => {
    const child = running!.child;
    expect(postgresProcessesIn(path.join(dataDir, 'postgres')).length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(postgresProcessesIn(path.join(dataDir, 'postgres'))).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 20000);

  it('a restart is ready within seconds and loads nothing twice', async () => {
    const began = Date.now();
    running = await start(dataDir, pgPort);
    // About 1 s on an idle 2-core machine (docs/operations.md); the bound leaves room for the
    // rest of the suite running beside it. Not rebuilding is tested in build-freshness.e2e-spec.ts.
    expect(Date.now() - began).toBeLessThan(10000);
    expect(await catalogVersions(running.baseUrl)).toBe(SEEDED_VERSIONS);
    expect(running.output()).not.toContain('loaded');
  }, 90000);

  it('recovers after SIGKILL of the whole process group (Postgres left running, then a stale postmaster.pid)', async () => {
    const clusterDir = path.join(dataDir, 'postgres');
    // The server runs in its own process group: it outlives the killed app as an orphan.
    process.kill(-running!.child.pid!, 'SIGKILL');
    await exited(running!.child);
    expect(postgresProcessesIn(clusterDir).length).toBeGreaterThan(0);
    running = await start(dataDir, pgPort);
    expect(running.output()).toContain('left running by a process that is gone');
    expect(await catalogVersions(running.baseUrl)).toBe(SEEDED_VERSIONS);
    // Now both die at once: the next start finds a stale postmaster.pid.
    const postmaster = Number(fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(-running.child.pid!, 'SIGKILL');
    process.kill(postmaster, 'SIGKILL');
    await exited(running.child);
    for (let i = 0; i < 50 && postgresProcessesIn(clusterDir).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(true);
    running = await start(dataDir, pgPort);
    expect((await fetch(`${running.baseUrl}/health/ready`)).status).toBe(200);
    expect(await catalogVersions(running.baseUrl)).toBe(SEEDED_VERSIONS);
    expect(running.output()).toContain('stale postmaster.pid');
    running.child.kill('SIGTERM');
    expect(await exited(running.child)).toBe(0);
  }, 120000);

  it('rebuilds a cluster whose first initialisation was cut short', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-half-'));
    fs.chmodSync(fresh, 0o711);
    // What a kill during initdb leaves: a cluster folder without our marker.
    fs.mkdirSync(path.join(fresh, 'postgres'));
    fs.writeFileSync(path.join(fresh, 'postgres', 'PG_VERSION'), '17\n');
    try {
      const s = await start(fresh, await freePort());
      expect((await fetch(`${s.baseUrl}/health/ready`)).status).toBe(200);
      expect(s.output()).toContain('initialisation did not finish');
      s.child.kill('SIGTERM');
      expect(await exited(s.child)).toBe(0);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  }, 90000);
});

/** Runs a compiled CLI to its end. */
function runCli(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'apps', 'cli', script), ...args], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

interface Session {
  token: string;
  tenantId: string;
  taskIds: string[];
}

async function session(baseUrl: string): Promise<Session> {
  const signup = await fetch(`${baseUrl}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `ops-${Date.now()}@example.test`,
      password: 'plum-orchard-lantern-42',
      name: 'Ops',
      organization: 'Ops Org',
    }),
  });
  expect(signup.status).toBe(201);
  const { accessToken, tenant } = (await signup.json()) as { accessToken: string; tenant: { id: string } };
  const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
  const sub = await fetch(`${baseUrl}/api/v1/tenants/${tenant.id}/subscriptions`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ catalogKey: 'ovhcloud-private-exchange', startsOn: new Date().toISOString().slice(0, 10) }),
  });
  expect(sub.status).toBe(201);
  const tasks = (await (await fetch(`${baseUrl}/api/v1/tenants/${tenant.id}/tasks?limit=20`, { headers: auth })).json()) as {
    items: { id: string }[];
  };
  return { token: accessToken, tenantId: tenant.id, taskIds: tasks.items.map((t) => t.id) };
}

interface SlowRequest {
  /** Sends the rest of the body. */
  finish(): void;
  response: Promise<{ status: number; body: string }>;
}

/** A request whose head and first half of the body are sent now, the rest on finish(). */
function slowRequest(baseUrl: string, pathName: string, headers: Record<string, string>, body: Buffer): SlowRequest {
  const url = new URL(pathName, baseUrl);
  const req = http.request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers: { ...headers, 'content-length': String(body.length) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  req.write(body.subarray(0, Math.floor(body.length / 2)));
  return { finish: () => req.end(body.subarray(Math.floor(body.length / 2))), response };
}

/** A GET on a connection of its own (no agent, no keep-alive). */
function plainGet(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => /"level":(50|60)/.test(line));
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => fs.statSync(path.join(dir, p)).isFile());
}

describe('npm start under faults, beside other programs', () => {
  let dataDir: string;
  let running: Started | undefined;
  let blocker: net.Server | undefined;
  let takenPort: number;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-faults-'));
    fs.chmodSync(dataDir, 0o711);
    // The port this data folder "used last" is now held by another program.
    takenPort = await freePort();
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker!.listen(takenPort, '127.0.0.1', resolve));
    fs.writeFileSync(path.join(dataDir, 'postgres.port'), `${takenPort}\n`);
  });

  afterAll(async () => {
    blocker?.close();
    if (running?.child.exitCode === null && running.child.pid) {
      process.kill(-running.child.pid, 'SIGKILL');
      await exited(running.child);
    }
    const clusterDir = path.join(dataDir, 'postgres');
    if (fs.existsSync(clusterDir)) fs.chmodSync(clusterDir, 0o700);
    for (const pid of postgresProcessesIn(clusterDir)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the recorded port is taken by another program: picks a free one, records it, says so', async () => {
    running = await start(dataDir);
    expect(running.output()).toContain(`port ${takenPort} is taken by another program`);
    const recorded = Number(fs.readFileSync(path.join(dataDir, 'postgres.port'), 'utf8').trim());
    expect(recorded).not.toBe(takenPort);
    expect((await fetch(`${running.baseUrl}/health/ready`)).status).toBe(200);
  }, 90000);

  it('the CLIs use the cluster npm start runs for the same DATA_DIR', async () => {
    const env = { DATA_DIR: dataDir };
    const sweep = await runCli('reminders.js', [], env);
    expect(sweep.output).toContain('already running');
    expect(sweep.output).toMatch(/queued \d+ mail/);
    expect(sweep.code).toBe(0);
    const seed = await runCli('db.js', ['seed'], env);
    expect(seed.output).toContain('unchanged: ovhcloud-private-exchange');
    expect(seed.code).toBe(0);
    const migrations = await runCli('db.js', ['migration:run'], env);
    expect(migrations.output).toContain('no pending migration');
    expect(migrations.code).toBe(0);
    // The server they shared is still the one npm start supervises.
    expect((await fetch(`${running!.baseUrl}/health/ready`)).status).toBe(200);
  }, 60000);

  it('kill -9 of the postmaster: noticed, restarted (logged), requests served again; SIGTERM still exits 0', async () => {
    const s = running!;
    const postmaster = Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGKILL');
    const deadline = Date.now() + 30000;
    while (!s.output().includes('embedded Postgres restarted') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(s.output()).toContain('embedded Postgres exited unexpectedly');
    expect(s.output()).toContain('embedded Postgres restarted');
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await fetch(`${s.baseUrl}/health/ready`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect((await fetch(`${s.baseUrl}/api/v1/catalogs`)).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await exited(s.child)).toBe(0);
  }, 60000);

  it('SIGTERM with requests in flight (an upload among them): new ones 503 SHUTTING_DOWN, all in flight complete, no .partial, exit 0, no error line', async () => {
    running = await start(dataDir);
    const s = running;
    const me = await session(s.baseUrl);
    expect(me.taskIds.length).toBeGreaterThanOrEqual(5);
    const auth = { authorization: `Bearer ${me.token}` };
    // An idle keep-alive connection must not hold the stop up.
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      http.get(`${s.baseUrl}/health/live`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
    );
    const boundary = 'dutybook-stop-boundary';
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3 * 1024 * 1024, 0x20), Buffer.from('\n%%EOF\n')]);
    const form = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      pdf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const inFlight = [
      slowRequest(
        s.baseUrl,
        `/api/v1/tenants/${me.tenantId}/tasks/${me.taskIds[0]}/evidence`,
        {
          ...auth,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        form,
      ),
      ...me.taskIds
        .slice(1, 5)
        .map((taskId, i) =>
          slowRequest(
            s.baseUrl,
            `/api/v1/tenants/${me.tenantId}/tasks/${taskId}/evidence`,
            { ...auth, 'content-type': 'application/json' },
            Buffer.from(JSON.stringify({ kind: 'note', text: `written during the stop ${i}` })),
          ),
        ),
    ];
    await new Promise((r) => setTimeout(r, 300));
    const before = s.output().length;
    s.child.kill('SIGTERM');
    for (let i = 0; i < 100 && !s.output().slice(before).includes('draining'); i++) await new Promise((r) => setTimeout(r, 50));
    // Issue 12 item 5: a request on a NEW connection while the others are in flight is answered
    // 503 SHUTTING_DOWN with our error body, not refused and not Fastify's own body.
    const late = await plainGet(`${s.baseUrl}/api/v1/catalogs`);
    expect(late.status).toBe(503);
    expect(late.headers['retry-after']).toBe('5');
    expect(late.headers.connection).toBe('close');
    const lateBody = JSON.parse(late.body) as { code: string; message: string; requestId: string; statusCode: number };
    expect(lateBody).toMatchObject({ statusCode: 503, code: 'SHUTTING_DOWN' });
    expect(lateBody.message).toMatch(/retry in 5 seconds/);
    expect(lateBody.requestId).toBe(late.headers['x-request-id']);
    for (const request of inFlight) request.finish();
    const answers = await Promise.all(inFlight.map((r) => r.response));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    const began = Date.now();
    expect(await exited(s.child)).toBe(0);
    expect(Date.now() - began).toBeLessThan(5000);
    agent.destroy();
    expect(errorLines(s.output().slice(before))).toEqual([]);
    const evidence = filesUnder(path.join(dataDir, 'evidence'));
    expect(evidence.filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(evidence).toHaveLength(1);
  }, 90000);

  it('the postmaster dies and cannot be restarted: /health/live stops claiming health, exit 1', async () => {
    running = await start(dataDir);
    const s = running;
    const clusterDir = path.join(dataDir, 'postgres');
    const postmaster = Number(fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    // Postgres refuses a data folder others may write to: every restart fails, for real.
    fs.chmodSync(clusterDir, 0o777);
    process.kill(postmaster, 'SIGKILL');
    const live: number[] = [];
    while (s.child.exitCode === null) {
      live.push(
        await fetch(`${s.baseUrl}/health/live`).then(
          (r) => r.status,
          () => 0,
        ),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await exited(s.child)).toBe(1);
    // One probe after the exit: under load the 503 window before it can fall between two probes.
    live.push(
      await fetch(`${s.baseUrl}/health/live`).then(
        (r) => r.status,
        () => 0,
      ),
    );
    expect(s.output()).toContain('could not be restarted');
    // Once restarting failed it answered 503 (or nothing, once the listener closed), never 200 again.
    const lastOk = live.lastIndexOf(200);
    expect(live.slice(lastOk + 1).length).toBeGreaterThan(0);
    expect(live.slice(lastOk + 1).every((code) => code === 503 || code === 0)).toBe(true);
    fs.chmodSync(clusterDir, 0o700);
  }, 60000);
});
