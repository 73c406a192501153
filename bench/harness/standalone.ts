/**
 * Pieces of the benchmarks that do not fit the request/s runner (a file upload, an evidence pack,
 * a sweep): plain HTTP requests, an external command timed as the baseline, the RSS of a child
 * process, a signed-up admin with a subscription, medians. One copy, so the benches measure the
 * same way.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'pg';
import { createLogger } from '../../libs/core';
import { startServer, type ServerChild } from './children';
import { makeRunDir, startBenchCluster, type BenchCluster } from './database';

export const MiB = 1024 * 1024;

export const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** One request over loopback; the answer's body as text. A stream body is piped (uploads). */
export function request(
  port: number,
  method: string,
  urlPath: string,
  headers: Record<string, string | number>,
  body?: Readable | string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (typeof body === 'string') req.end(body);
    else pipeline(body, req).catch(reject);
  });
}

/** Runs a command to its end (the raw baselines: sha256sum, cp, zip); its stdout when `capture`. */
export function runCommand(command: string, args: readonly string[], options: { cwd?: string; capture?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', options.capture ? 'pipe' : 'ignore', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`${command} exited with ${code ?? 'a signal'}`)),
    );
  });
}

/** Seconds an async step takes. */
export async function timed<T>(step: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await step();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}

function rssOf(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** Resets the process's RSS high-water mark (Linux); false where that is not allowed. */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * How much a process's resident memory grows during a step: sampled from /proc every 5 ms, and
 * its kernel high-water mark (reset first) so a peak between two samples is not missed.
 */
export async function rssGrowth<T>(pids: readonly number[], step: () => Promise<T>): Promise<{ growth: number[]; value: T }> {
  await new Promise((r) => setTimeout(r, 300)); // let the previous step's garbage settle
  const before = pids.map((pid) => rssOf(pid).rss);
  const reset = pids.map(resetPeak).every(Boolean);
  const peak = [...before];
  const sampler = setInterval(() => {
    pids.forEach((pid, i) => (peak[i] = Math.max(peak[i] ?? 0, rssOf(pid).rss)));
  }, 5);
  let value: T;
  try {
    value = await step();
  } finally {
    clearInterval(sampler);
  }
  if (reset) pids.forEach((pid, i) => (peak[i] = Math.max(peak[i] ?? 0, rssOf(pid).hwm)));
  return { growth: pids.map((_, i) => (peak[i] ?? 0) - (before[i] ?? 0)), value };
}

export interface BenchAdmin {
  token: string;
  userId: string;
  tenantId: string;
}

/** Signs up an admin with a tenant through the api. */
export async function signUpAdmin(port: number, prefix: string): Promise<BenchAdmin> {
  const signup = await request(
    port,
    'POST',
    '/api/v1/auth/signup',
    { 'content-type': 'application/json' },
    JSON.stringify({
      email: `${prefix}-${Date.now()}@example.test`,
      password: 'plum-orchard-lantern-42',
      name: 'Bench',
      organization: 'Bench Org',
    }),
  );
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${signup.body}`);
  const { accessToken, user, tenant } = JSON.parse(signup.body) as { accessToken: string; user: { id: string }; tenant: { id: string } };
  return { token: accessToken, userId: user.id, tenantId: tenant.id };
}

/**
 * Tasks of the admin's tenant, written as the superuser (as the tests' factories do): a Private
 * Exchange subscription and, for each activity key, one task per period start.
 */
export async function insertTasks(
  client: Client,
  admin: BenchAdmin,
  activityKeys: readonly string[],
  periodStarts: readonly string[],
): Promise<string[]> {
  const v = (
    await client.query<{ catalog_id: string; version_id: string }>(
      "SELECT c.id AS catalog_id, v.id AS version_id FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id WHERE c.key = 'ovhcloud-private-exchange' ORDER BY v.published_on DESC, v.seq DESC LIMIT 1",
    )
  ).rows[0];
  if (!v) throw new Error('the catalog is not seeded');
  const sub = await client.query<{ id: string }>(
    `INSERT INTO subscription (tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by)
     VALUES ($1, $2, $3, 'operations', '2026-01-01', 'UTC', '{}'::jsonb, $4) RETURNING id`,
    [admin.tenantId, v.catalog_id, v.version_id, admin.userId],
  );
  const tasks = await client.query<{ id: string }>(
    `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start)
     SELECT $1, $2, a.id, p::date FROM activity a CROSS JOIN unnest($4::text[]) p
      WHERE a.version_id = $3 AND a.key = ANY($5::text[]) RETURNING id`,
    [admin.tenantId, sub.rows[0]?.id, v.version_id, periodStarts, activityKeys],
  );
  if (tasks.rows.length !== activityKeys.length * periodStarts.length) throw new Error('could not create the tasks');
  return tasks.rows.map((r) => r.id);
}

export interface BenchRun {
  /** The run's temporary folder (the cluster, DATA_DIR of the servers, test files). */
  readonly dir: string;
  readonly cluster: BenchCluster;
  /** Forks a server script on this run's database and folder; stopped when the run ends. */
  readonly server: (name: string, script: string) => Promise<ServerChild>;
}

/**
 * A fresh embedded cluster (migrated, seeded) in a temporary folder, for one benchmark's body;
 * afterwards, or on Ctrl-C, the servers it started are stopped, then Postgres, and the folder removed.
 */
export async function withBenchRun<T>(body: (run: BenchRun) => Promise<T>): Promise<T> {
  const dir = makeRunDir();
  let cluster: BenchCluster | undefined;
  const servers: ServerChild[] = [];
  const cleanup = async (): Promise<void> => {
    for (const s of servers) await s.stop();
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });
  try {
    say('[db] starting embedded Postgres, migrating, seeding');
    const started = await startBenchCluster(dir, createLogger('warn', 'bench'));
    cluster = started;
    return await body({
      dir,
      cluster: started,
      server: async (name, script) => {
        // BENCH_CPU_PROF profiles these servers too, as it does the app and baseline of runBench.
        const profiles = process.env.BENCH_CPU_PROF?.trim() || undefined;
        const server = await startServer(name, script, { type: 'start', db: started.db, poolSize: 10, dataDir: dir }, profiles);
        servers.push(server);
        return server;
      },
    });
  } finally {
    await cleanup();
  }
}
