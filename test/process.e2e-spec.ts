import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
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

async function start(dataDir: string, pgPort: number): Promise<Started> {
  const { child, output } = launch({ DATA_DIR: dataDir, PORT: '0', EMBEDDED_PG_PORT: String(pgPort) });
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
    expect(version.counts).toMatchObject({ activities: 40, customerDuties: 20 });
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

  it('a restart loads nothing twice', async () => {
    running = await start(dataDir, pgPort);
    expect(await catalogVersions(running.baseUrl)).toBe(1);
    expect(running.output()).not.toContain('loaded');
  }, 90000);

  it('recovers after SIGKILL of the whole process group (stale postmaster.pid)', async () => {
    const pid = running!.child.pid!;
    process.kill(-pid, 'SIGKILL');
    await exited(running!.child);
    // Postgres children got the same SIGKILL: wait until they are gone.
    const clusterDir = path.join(dataDir, 'postgres');
    for (let i = 0; i < 50 && postgresProcessesIn(clusterDir).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(true);
    running = await start(dataDir, pgPort);
    expect((await fetch(`${running.baseUrl}/health/ready`)).status).toBe(200);
    expect(await catalogVersions(running.baseUrl)).toBe(1);
    expect(running.output()).toContain('stale postmaster.pid');
    running.child.kill('SIGTERM');
    expect(await exited(running.child)).toBe(0);
  }, 90000);

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
