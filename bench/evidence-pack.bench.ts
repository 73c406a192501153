/**
 * `npm run bench:evidence-pack`: an evidence pack of 2 GiB in 400 files of mixed sizes, requested
 * from the real api, built by the real worker (a process of its own) and downloaded over loopback
 * HTTP, against the raw baseline `zip -0 -r` of the same files on the same disk, in the same run.
 *
 * Targets: pack throughput (request -> ready -> downloaded) >= 0.5 x zip's; the api's and the
 * worker's RSS each grow by < 64 MiB during the run (sampled from /proc, and their high-water marks).
 */
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createLogger } from '../libs/core';
import { makeRunDir, startBenchCluster, type BenchCluster } from './harness/database';
import { isChildMessage, type StartMessage } from './harness/protocol';
import { positiveInt as positiveIntFrom } from './harness/options';

const MiB = 1024 * 1024;
const FILES = 400;
const TARGET_RATIO = 0.5;
const RSS_LIMIT_BYTES = 64 * MiB;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function startChild(script: string, start: StartMessage): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(__dirname, 'exports', script), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 60 s`)), 60_000);
    child.on('message', (message: unknown) => {
      if (!isChildMessage(message)) return;
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${script} failed to start: ${message.message}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited before it was ready (code ${code ?? 'none'})`));
    });
    child.send(start);
  });
  return { child, port };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A JSON request; or, with `sink`, the body streamed and hashed without keeping it. */
function request(
  port: number,
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function downloadTo(
  port: number,
  urlPath: string,
  token: string,
  file: string,
): Promise<{ status: number; bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'GET', path: urlPath, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        const out = fs.createWriteStream(file);
        res.on('data', (c: Buffer) => {
          hash.update(c);
          bytes += c.length;
        });
        res.pipe(out);
        out.on('finish', () => resolve({ status: res.statusCode ?? 0, bytes, sha256: hash.digest('hex') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** 400 sizes from 4 KiB to ~40 MiB (geometric, shuffled deterministically) adding up to 2 GiB. */
function sizes(total: number): number[] {
  const raw = Array.from({ length: FILES }, (_, i) => Math.pow(1.025, i));
  const sum = raw.reduce((a, b) => a + b, 0);
  const out = raw.map((r) => Math.max(4096, Math.floor((r / sum) * total)));
  out[FILES - 1] = (out[FILES - 1] ?? 0) + total - out.reduce((a, b) => a + b, 0);
  // 7919 is prime to 400: a fixed shuffle, so small and large files alternate on disk and in the pack.
  return out.map((_, i) => out[(i * 7919) % FILES] ?? 0);
}

/** Signs up, makes 40 tasks, and writes 400 evidence files (random bytes, stored as the app stores them) with their rows. */
async function prepare(
  port: number,
  adminUrl: string,
  evidenceDir: string,
  total: number,
): Promise<{ token: string; tenantId: string; dir: string }> {
  const signup = await request(
    port,
    'POST',
    '/api/v1/auth/signup',
    { 'content-type': 'application/json' },
    JSON.stringify({
      email: `pack-${Date.now()}@example.test`,
      password: 'plum-orchard-lantern-42',
      name: 'Bench',
      organization: 'Bench Org',
    }),
  );
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${signup.body}`);
  const { accessToken, user, tenant } = JSON.parse(signup.body) as { accessToken: string; user: { id: string }; tenant: { id: string } };
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const v = (
      await client.query<{ catalog_id: string; version_id: string }>(
        "SELECT c.id AS catalog_id, v.id AS version_id FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id WHERE c.key = 'ovhcloud-private-exchange' ORDER BY v.published_on DESC LIMIT 1",
      )
    ).rows[0];
    if (!v) throw new Error('the catalog is not seeded');
    const sub = await client.query<{ id: string }>(
      `INSERT INTO subscription (tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by)
       VALUES ($1, $2, $3, 'operations', '2026-01-01', 'UTC', '{}'::jsonb, $4) RETURNING id`,
      [tenant.id, v.catalog_id, v.version_id, user.id],
    );
    const tasks = await client.query<{ id: string }>(
      `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start)
       SELECT $1, $2, a.id, '2026-01-01'::date + g * 30 FROM activity a CROSS JOIN generate_series(0, 4) g
        WHERE a.version_id = $3 AND a.key IN ('PX-11', 'PX-13', 'PX-15', 'PX-17', 'PX-18', 'PX-22', 'PX-30', 'PX-09') RETURNING id`,
      [tenant.id, sub.rows[0]?.id, v.version_id],
    );
    const dir = path.join(evidenceDir, tenant.id);
    fs.mkdirSync(dir, { recursive: true });
    const buffer = Buffer.alloc(8 * MiB);
    for (const [i, size] of sizes(total).entries()) {
      const id = randomUUID();
      const hash = createHash('sha256');
      const fd = fs.openSync(path.join(dir, id), 'w');
      const head = Buffer.from('%PDF-1.7\n');
      fs.writeSync(fd, head);
      hash.update(head);
      for (let left = size - head.length; left > 0;) {
        const n = Math.min(left, buffer.length);
        randomFillSync(buffer, 0, n);
        fs.writeSync(fd, buffer, 0, n);
        hash.update(buffer.subarray(0, n));
        left -= n;
      }
      fs.closeSync(fd);
      await client.query(
        `INSERT INTO evidence (id, tenant_id, task_id, kind, file_name, media_type, size, sha256, storage_key, submitted_by)
         VALUES ($1, $2, $3, 'file', $4, 'application/pdf', $5, $6, $7, $8)`,
        [id, tenant.id, tasks.rows[i % tasks.rows.length]?.id, `report ${i}.pdf`, size, hash.digest('hex'), `${tenant.id}/${id}`, user.id],
      );
    }
    return { token: accessToken, tenantId: tenant.id, dir };
  } finally {
    await client.end();
  }
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code ?? 'a signal'}`))));
  });
}

/** The raw baseline: `zip -0 -r` of the same files on the same disk. Seconds. */
async function baseline(dir: string, out: string): Promise<number> {
  fs.rmSync(out, { force: true });
  const started = process.hrtime.bigint();
  await run('zip', ['-0', '-r', '-q', out, '.'], dir);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.rmSync(out, { force: true });
  return seconds;
}

function rssOf(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

interface PackRun {
  seconds: number;
  buildSeconds: number;
  bytes: number;
  growth: { api: number; worker: number };
}

async function pack(
  port: number,
  pids: { api: number; worker: number },
  ctx: { token: string; tenantId: string },
  out: string,
): Promise<PackRun> {
  await new Promise((r) => setTimeout(r, 300));
  const before = { api: rssOf(pids.api).rss, worker: rssOf(pids.worker).rss };
  const reset = resetPeak(pids.api) && resetPeak(pids.worker);
  const peak = { ...before };
  const sampler = setInterval(() => {
    peak.api = Math.max(peak.api, rssOf(pids.api).rss);
    peak.worker = Math.max(peak.worker, rssOf(pids.worker).rss);
  }, 5);
  const auth = { authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json' };
  const started = process.hrtime.bigint();
  try {
    const created = await request(port, 'POST', `/api/v1/tenants/${ctx.tenantId}/evidence-packs`, auth, '{}');
    if (created.status !== 202) throw new Error(`pack request answered ${created.status}: ${created.body}`);
    const id = (JSON.parse(created.body) as { id: string }).id;
    let view: { state: string; size: number; sha256: string; error: string | null };
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      view = JSON.parse((await request(port, 'GET', `/api/v1/tenants/${ctx.tenantId}/evidence-packs/${id}`, auth)).body) as typeof view;
      if (view.state === 'ready') break;
      if (view.state === 'failed') throw new Error(`the pack failed: ${view.error ?? ''}`);
    }
    const built = process.hrtime.bigint();
    const got = await downloadTo(port, `/api/v1/tenants/${ctx.tenantId}/evidence-packs/${id}/content`, ctx.token, out);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (got.status !== 200 || got.bytes !== view.size || got.sha256 !== view.sha256)
      throw new Error(
        `download: ${got.status}, ${got.bytes} bytes (pack ${view.size}), sha256 ${got.sha256 === view.sha256 ? 'matches' : 'differs'}`,
      );
    if (reset) {
      peak.api = Math.max(peak.api, rssOf(pids.api).hwm);
      peak.worker = Math.max(peak.worker, rssOf(pids.worker).hwm);
    }
    return {
      seconds,
      buildSeconds: Number(built - started) / 1e9,
      bytes: got.bytes,
      growth: { api: peak.api - before.api, worker: peak.worker - before.worker },
    };
  } finally {
    clearInterval(sampler);
    fs.rmSync(out, { force: true });
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

async function main(): Promise<boolean> {
  const rounds = positiveIntFrom(process.env, 'BENCH_ROUNDS', 1, 10);
  const totalMiB = positiveIntFrom(process.env, 'BENCH_PACK_MIB', 2048, 16384);
  const total = totalMiB * MiB;
  const dir = makeRunDir();
  let cluster: BenchCluster | undefined;
  const children: ChildProcess[] = [];
  const cleanup = async (): Promise<void> => {
    for (const c of children) await stopChild(c);
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });
  try {
    say('[db] starting embedded Postgres, migrating, seeding');
    cluster = await startBenchCluster(dir, createLogger('warn', 'bench'));
    const start: StartMessage = { type: 'start', db: cluster.db, poolSize: 10, dataDir: dir };
    const api = await startChild('pack-api.js', start);
    children.push(api.child);
    const worker = await startChild('pack-worker.js', start);
    children.push(worker.child);
    if (api.child.pid === undefined || worker.child.pid === undefined) throw new Error('a child has no pid');
    say(`[files] writing ${FILES} evidence files, ${totalMiB} MiB, in ${dir}`);
    const ctx = await prepare(api.port, cluster.db.adminUrl, path.join(dir, 'app', 'evidence'), total);
    const out = path.join(dir, 'out.zip');
    say('[warm-up] one baseline');
    await baseline(ctx.dir, out);

    const results: { baseline: number; pack: PackRun }[] = [];
    for (let i = 1; i <= rounds; i++) {
      const base = await baseline(ctx.dir, out);
      const p = await pack(api.port, { api: api.child.pid, worker: worker.child.pid }, ctx, out);
      results.push({ baseline: base, pack: p });
      say(
        `[round ${i}] zip -0 -r ${base.toFixed(2)} s (${(total / MiB / base).toFixed(0)} MiB/s); pack ${p.seconds.toFixed(2)} s (built in ${p.buildSeconds.toFixed(2)} s, ${(p.bytes / MiB).toFixed(0)} MiB, ${(total / MiB / p.seconds).toFixed(0)} MiB/s); ` +
          `RSS growth api +${(p.growth.api / MiB).toFixed(1)} MiB, worker +${(p.growth.worker / MiB).toFixed(1)} MiB`,
      );
    }
    const ratio = median(results.map((r) => r.baseline / r.pack.seconds));
    const apiGrowth = Math.max(...results.map((r) => r.pack.growth.api));
    const workerGrowth = Math.max(...results.map((r) => r.pack.growth.worker));
    const ratioOk = ratio >= TARGET_RATIO;
    const rssOk = apiGrowth < RSS_LIMIT_BYTES && workerGrowth < RSS_LIMIT_BYTES;
    say('');
    say(
      `evidence pack: ${FILES} files, ${totalMiB} MiB, node ${process.version}, ${os.availableParallelism()} CPUs, ${rounds} round(s), medians`,
    );
    say(`  baseline zip -0 -r: ${median(results.map((r) => r.baseline)).toFixed(2)} s`);
    say(
      `  pack (request, worker build with sha256 checks, fsync, download over loopback): ${median(results.map((r) => r.pack.seconds)).toFixed(2)} s`,
    );
    say(`  throughput ratio pack/zip: ${ratio.toFixed(2)}, target >= ${TARGET_RATIO.toFixed(2)}: ${ratioOk ? 'PASS' : 'FAIL'}`);
    say(
      `  RSS growth (max over rounds): api ${(apiGrowth / MiB).toFixed(1)} MiB, worker ${(workerGrowth / MiB).toFixed(1)} MiB, target < ${RSS_LIMIT_BYTES / MiB} MiB each: ${rssOk ? 'PASS' : 'FAIL'}`,
    );
    const jsonFile = process.env.BENCH_JSON?.trim();
    if (jsonFile)
      fs.writeFileSync(
        jsonFile,
        `${JSON.stringify({ scenario: 'evidence-pack', at: new Date().toISOString(), node: process.version, files: FILES, bytes: total, rounds: results, ratio, apiGrowth, workerGrowth, passed: ratioOk && rssOk }, null, 2)}\n`,
      );
    return ratioOk && rssOk;
  } finally {
    await cleanup();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
