/**
 * `npm run bench:evidence-pack`: an evidence pack of 2 GiB in 400 files of mixed sizes, requested
 * from the real api, built by the real worker (a process of its own) and downloaded over loopback
 * HTTP, against the raw baseline `zip -0 -r` of the same files on the same disk, in the same run.
 *
 * Targets: pack throughput (request -> ready -> downloaded) >= 0.5 x zip's; the api's and the
 * worker's RSS each grow by < 64 MiB during the run (sampled from /proc, and their high-water marks).
 */
import { createHash, randomFillSync, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { positiveInt as positiveIntFrom } from './harness/options';
import { insertTasks, median, MiB, request, rssGrowth, runCommand, say, signUpAdmin, timed, withBenchRun } from './harness/standalone';

const FILES = 400;
const TARGET_RATIO = 0.5;
const RSS_LIMIT_BYTES = 64 * MiB;

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
  const admin = await signUpAdmin(port, 'pack');
  const { tenantId: tenant, userId: user } = admin;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const keys = ['PX-11', 'PX-13', 'PX-15', 'PX-17', 'PX-18', 'PX-22', 'PX-30', 'PX-09'];
    const periods = [0, 1, 2, 3, 4].map((g) => new Date(Date.UTC(2026, 0, 1 + g * 30)).toISOString().slice(0, 10));
    const tasks = await insertTasks(client, admin, keys, periods);
    const dir = path.join(evidenceDir, tenant);
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
        [id, tenant, tasks[i % tasks.length], `report ${i}.pdf`, size, hash.digest('hex'), `${tenant}/${id}`, user],
      );
    }
    return { token: admin.token, tenantId: tenant, dir };
  } finally {
    await client.end();
  }
}

/** The raw baseline: `zip -0 -r` of the same files on the same disk. Seconds. */
async function baseline(dir: string, out: string): Promise<number> {
  fs.rmSync(out, { force: true });
  const { seconds } = await timed(() => runCommand('zip', ['-0', '-r', '-q', out, '.'], { cwd: dir }));
  fs.rmSync(out, { force: true });
  return seconds;
}

interface PackRun {
  seconds: number;
  buildSeconds: number;
  bytes: number;
  growth: { api: number; worker: number };
}

async function pack(port: number, pids: readonly number[], ctx: { token: string; tenantId: string }, out: string): Promise<PackRun> {
  const auth = { authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json' };
  try {
    const { growth, value } = await rssGrowth(pids, async () => {
      const started = process.hrtime.bigint();
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
      return { seconds, buildSeconds: Number(built - started) / 1e9, bytes: got.bytes };
    });
    return { ...value, growth: { api: growth[0] ?? 0, worker: growth[1] ?? 0 } };
  } finally {
    fs.rmSync(out, { force: true });
  }
}

async function main(): Promise<boolean> {
  const rounds = positiveIntFrom(process.env, 'BENCH_ROUNDS', 1, 10);
  const totalMiB = positiveIntFrom(process.env, 'BENCH_PACK_MIB', 2048, 16384);
  const total = totalMiB * MiB;
  return withBenchRun(async ({ dir, cluster, server }) => {
    const api = await server('api', path.join(__dirname, 'exports', 'pack-api.js'));
    const worker = await server('worker', path.join(__dirname, 'exports', 'pack-worker.js'));
    say(`[files] writing ${FILES} evidence files, ${totalMiB} MiB, in ${dir}`);
    const ctx = await prepare(api.port, cluster.db.adminUrl, path.join(dir, 'app', 'evidence'), total);
    const out = path.join(dir, 'out.zip');
    say('[warm-up] one baseline');
    await baseline(ctx.dir, out);

    const results: { baseline: number; pack: PackRun }[] = [];
    for (let i = 1; i <= rounds; i++) {
      const base = await baseline(ctx.dir, out);
      const p = await pack(api.port, [api.pid, worker.pid], ctx, out);
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
  });
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
