/**
 * `npm run bench:evidence`: one 200 MiB evidence upload through the real api (multipart over
 * loopback HTTP, filesystem storage, fsync included), against the raw baseline of `sha256sum`
 * then `cp` of the same file on the same disk, measured in the same run.
 *
 * Targets: upload throughput >= 0.5 x baseline; the api process's RSS grows by < 64 MiB during
 * the upload (sampled from /proc every few milliseconds, and its high-water mark).
 */
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { createLogger } from '../libs/core';
import { makeRunDir, startBenchCluster, type BenchCluster } from './harness/database';
import { isChildMessage, type StartMessage } from './harness/protocol';
import { positiveInt as positiveIntFrom } from './harness/options';

const MiB = 1024 * 1024;
const FILE_BYTES = 200 * MiB;
const TARGET_RATIO = 0.5;
const RSS_LIMIT_BYTES = 64 * MiB;
const SERVER = path.join(__dirname, 'evidence', 'upload-server.js');
const BOUNDARY = '----dutybook-bench-boundary-b9c1d7e3';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const positiveInt = (name: string, fallback: number, max: number): number => positiveIntFrom(process.env, name, fallback, max);

/** The api child: forked, given the database, ready once it reports its port. */
async function startApi(start: StartMessage): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(SERVER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the api did not start within 60 s')), 60_000);
    child.on('message', (message: unknown) => {
      if (!isChildMessage(message)) return;
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`the api failed to start: ${message.message}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the api exited before it was ready (code ${code ?? 'none'})`));
    });
    child.send(start);
  });
  return { child, port };
}

function stopApi(child: ChildProcess): Promise<void> {
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

function request(
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

/** A signed-up admin and one task of its tenant (made as the superuser, as the tests do). */
async function prepareTask(port: number, adminUrl: string): Promise<{ token: string; tenantId: string; taskId: string }> {
  const signup = await request(
    port,
    'POST',
    '/api/v1/auth/signup',
    { 'content-type': 'application/json' },
    JSON.stringify({
      email: `bench-${Date.now()}@example.test`,
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
    const version = await client.query<{ catalog_id: string; version_id: string }>(
      "SELECT c.id AS catalog_id, v.id AS version_id FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id WHERE c.key = 'ovhcloud-private-exchange' ORDER BY v.published_on DESC LIMIT 1",
    );
    const v = version.rows[0];
    if (!v) throw new Error('the catalog is not seeded');
    const sub = await client.query<{ id: string }>(
      `INSERT INTO subscription (tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by)
       VALUES ($1, $2, $3, 'operations', '2026-01-01', 'UTC', '{}'::jsonb, $4) RETURNING id`,
      [tenant.id, v.catalog_id, v.version_id, user.id],
    );
    const task = await client.query<{ id: string }>(
      "INSERT INTO task (tenant_id, subscription_id, activity_id, period_start) SELECT $1, $2, id, '2026-01-01' FROM activity WHERE version_id = $3 AND key = 'PX-11' RETURNING id",
      [tenant.id, sub.rows[0]?.id, v.version_id],
    );
    const taskId = task.rows[0]?.id;
    if (!taskId) throw new Error('could not create a task');
    return { token: accessToken, tenantId: tenant.id, taskId };
  } finally {
    await client.end();
  }
}

/** A PDF header, then random bytes (nothing compresses or caches specially). */
async function writeTestFile(file: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const out = fs.createWriteStream(file);
  let left = bytes;
  const head = Buffer.from('%PDF-1.7\n', 'latin1');
  function* chunks(): Generator<Buffer> {
    hash.update(head);
    left -= head.length;
    yield head;
    while (left > 0) {
      const chunk = randomBytes(Math.min(8 * MiB, left));
      left -= chunk.length;
      hash.update(chunk);
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks()), out);
  return hash.digest('hex');
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`${command} exited with ${code ?? 'a signal'}`)),
    );
  });
}

/** The raw baseline: `sha256sum file`, then `cp file copy` on the same disk. Seconds. */
async function baseline(file: string, expectedSha: string): Promise<number> {
  const copy = `${file}.copy`;
  const started = process.hrtime.bigint();
  const sum = await run('sha256sum', [file]);
  await run('cp', [file, copy]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.rmSync(copy, { force: true });
  if (!sum.startsWith(expectedSha)) throw new Error('sha256sum disagrees with the file written');
  return seconds;
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

interface Upload {
  readonly seconds: number;
  readonly rssBefore: number;
  readonly rssPeak: number;
}

/** One upload of the file as multipart, streamed from disk; RSS of the api sampled meanwhile. */
async function upload(
  port: number,
  pid: number,
  ctx: { token: string; tenantId: string; taskId: string },
  file: string,
  size: number,
  sha: string,
): Promise<Upload> {
  const pre = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="description"\r\n\r\nbench upload\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const post = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  async function* body(): AsyncGenerator<Buffer> {
    yield pre;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: MiB })) yield chunk as Buffer;
    yield post;
  }
  await new Promise((r) => setTimeout(r, 300));
  const before = rssOf(pid).rss;
  const hwmReset = resetPeak(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssOf(pid).rss);
  }, 5);
  const started = process.hrtime.bigint();
  let res: { status: number; body: string };
  try {
    res = await request(
      port,
      'POST',
      `/api/v1/tenants/${ctx.tenantId}/tasks/${ctx.taskId}/evidence`,
      {
        authorization: `Bearer ${ctx.token}`,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': pre.length + size + post.length,
      },
      Readable.from(body()),
    );
  } finally {
    clearInterval(sampler);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (hwmReset) peak = Math.max(peak, rssOf(pid).hwm);
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.body.slice(0, 500)}`);
  const view = JSON.parse(res.body) as { size: number; sha256: string; mediaType: string };
  if (view.size !== size || view.sha256 !== sha || view.mediaType !== 'application/pdf')
    throw new Error(`upload recorded ${JSON.stringify(view)}, expected size ${size} and sha256 ${sha}`);
  return { seconds, rssBefore: before, rssPeak: peak };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

async function main(): Promise<boolean> {
  const rounds = positiveInt('BENCH_ROUNDS', 3, 20);
  const dir = makeRunDir();
  let cluster: BenchCluster | undefined;
  let api: ChildProcess | undefined;
  const cleanup = async (): Promise<void> => {
    if (api) await stopApi(api);
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });
  try {
    say('[db] starting embedded Postgres, migrating, seeding');
    cluster = await startBenchCluster(dir, createLogger('warn', 'bench'));
    const started = await startApi({ type: 'start', db: cluster.db, poolSize: 10, dataDir: dir });
    api = started.child;
    const pid = api.pid;
    if (pid === undefined) throw new Error('the api child has no pid');
    const ctx = await prepareTask(started.port, cluster.db.adminUrl);
    const evidenceDir = path.join(dir, 'app', 'evidence');

    say(`[file] writing ${FILE_BYTES / MiB} MiB in ${dir}`);
    const file = path.join(dir, 'bench.pdf');
    const sha = await writeTestFile(file, FILE_BYTES);
    const warm = path.join(dir, 'warm.pdf');
    const warmSha = await writeTestFile(warm, 8 * MiB);
    say('[warm-up] one 8 MiB upload, one baseline');
    await upload(started.port, pid, ctx, warm, 8 * MiB, warmSha);
    await baseline(file, sha);

    const results: { baseline: number; upload: Upload }[] = [];
    for (let i = 1; i <= rounds; i++) {
      const base = await baseline(file, sha);
      const up = await upload(started.port, pid, ctx, file, FILE_BYTES, sha);
      // Keep the disk from filling over the rounds: the stored copies are not needed.
      fs.rmSync(evidenceDir, { recursive: true, force: true });
      results.push({ baseline: base, upload: up });
      say(
        `[round ${i}] baseline ${base.toFixed(3)} s (${(FILE_BYTES / MiB / base).toFixed(0)} MiB/s), upload ${up.seconds.toFixed(3)} s (${(FILE_BYTES / MiB / up.seconds).toFixed(0)} MiB/s), ` +
          `api RSS ${(up.rssBefore / MiB).toFixed(1)} -> peak ${(up.rssPeak / MiB).toFixed(1)} MiB (+${((up.rssPeak - up.rssBefore) / MiB).toFixed(1)})`,
      );
    }
    const baseSeconds = median(results.map((r) => r.baseline));
    const uploadSeconds = median(results.map((r) => r.upload.seconds));
    const ratio = median(results.map((r) => r.baseline / r.upload.seconds));
    const growth = Math.max(...results.map((r) => r.upload.rssPeak - r.upload.rssBefore));
    const ratioOk = ratio >= TARGET_RATIO;
    const rssOk = growth < RSS_LIMIT_BYTES;
    say('');
    say(
      `evidence upload: ${FILE_BYTES / MiB} MiB, node ${process.version}, ${os.availableParallelism()} CPUs, ${rounds} round(s), medians`,
    );
    say(`  baseline sha256sum + cp: ${baseSeconds.toFixed(3)} s = ${(FILE_BYTES / MiB / baseSeconds).toFixed(0)} MiB/s`);
    say(
      `  api upload (multipart over loopback, sha256, sniff, fsync, commit): ${uploadSeconds.toFixed(3)} s = ${(FILE_BYTES / MiB / uploadSeconds).toFixed(0)} MiB/s`,
    );
    say(`  throughput ratio upload/baseline: ${ratio.toFixed(2)}, target >= ${TARGET_RATIO.toFixed(2)}: ${ratioOk ? 'PASS' : 'FAIL'}`);
    say(
      `  api RSS growth during upload (max over rounds): ${(growth / MiB).toFixed(1)} MiB, target < ${RSS_LIMIT_BYTES / MiB} MiB: ${rssOk ? 'PASS' : 'FAIL'}`,
    );
    const jsonFile = process.env.BENCH_JSON?.trim();
    if (jsonFile)
      fs.writeFileSync(
        jsonFile,
        `${JSON.stringify({ scenario: 'evidence', at: new Date().toISOString(), node: process.version, fileBytes: FILE_BYTES, rounds: results, baseSeconds, uploadSeconds, ratio, rssGrowthBytes: growth, passed: ratioOk && rssOk }, null, 2)}\n`,
      );
    return ratioOk && rssOk;
  } finally {
    await cleanup();
  }
}

main().then(
  (passed) => process.exit(passed ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(`bench evidence failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
