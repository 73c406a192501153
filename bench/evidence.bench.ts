/**
 * `npm run bench:evidence`: one 200 MiB evidence upload through the real api (multipart over
 * loopback HTTP, filesystem storage, fsync included), against the raw baseline of `sha256sum`
 * then `cp` of the same file on the same disk and `sync` of the copy (the api fsyncs every file
 * before it answers: durability is part of the work), measured in the same run.
 *
 * Targets: upload throughput >= 0.5 x baseline; the api process's RSS grows by < 64 MiB during
 * the upload (sampled from /proc every few milliseconds, and its high-water mark).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import type { ServerChild } from './harness/children';
import { positiveInt as positiveIntFrom } from './harness/options';
import {
  insertTasks,
  median,
  MiB,
  request,
  rssGrowth,
  runCommand,
  say,
  signUpAdmin,
  timed,
  withBenchRun,
  type BenchAdmin,
} from './harness/standalone';

const FILE_BYTES = 200 * MiB;
const TARGET_RATIO = 0.5;
const RSS_LIMIT_BYTES = 64 * MiB;
const SERVER = path.join(__dirname, 'evidence', 'upload-server.js');
const BOUNDARY = '----dutybook-bench-boundary-b9c1d7e3';

const positiveInt = (name: string, fallback: number, max: number): number => positiveIntFrom(process.env, name, fallback, max);

/** A signed-up admin and one task of its tenant (made as the superuser, as the tests do). */
async function prepareTask(port: number, adminUrl: string): Promise<BenchAdmin & { taskId: string }> {
  const admin = await signUpAdmin(port, 'bench');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const [taskId] = await insertTasks(client, admin, ['PX-11'], ['2026-01-01']);
    if (!taskId) throw new Error('could not create a task');
    return { ...admin, taskId };
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

/**
 * The raw baseline: `sha256sum file`, `cp file copy` on the same disk, then `sync copy` (coreutils:
 * fsync of that file), since the api fsyncs each file before it answers. Seconds.
 */
async function baseline(file: string, expectedSha: string): Promise<number> {
  const copy = `${file}.copy`;
  const { seconds, value: sum } = await timed(async () => {
    const out = await runCommand('sha256sum', [file], { capture: true });
    await runCommand('cp', [file, copy]);
    await runCommand('sync', [copy]);
    return out;
  });
  fs.rmSync(copy, { force: true });
  if (!sum.startsWith(expectedSha)) throw new Error('sha256sum disagrees with the file written');
  return seconds;
}

interface Upload {
  readonly seconds: number;
  /** How much the api's RSS grew during the upload. */
  readonly growth: number;
}

/** One upload of the file as multipart, streamed from disk; RSS of the api sampled meanwhile. */
async function upload(api: ServerChild, ctx: BenchAdmin & { taskId: string }, file: string, size: number, sha: string): Promise<Upload> {
  const pre = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="description"\r\n\r\nbench upload\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const post = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  async function* body(): AsyncGenerator<Buffer> {
    yield pre;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: MiB })) yield chunk as Buffer;
    yield post;
  }
  const { growth, value } = await rssGrowth([api.pid], () =>
    timed(() =>
      request(
        api.port,
        'POST',
        `/api/v1/tenants/${ctx.tenantId}/tasks/${ctx.taskId}/evidence`,
        {
          authorization: `Bearer ${ctx.token}`,
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          'content-length': pre.length + size + post.length,
        },
        Readable.from(body()),
      ),
    ),
  );
  const res = value.value;
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.body.slice(0, 500)}`);
  const view = JSON.parse(res.body) as { size: number; sha256: string; mediaType: string };
  if (view.size !== size || view.sha256 !== sha || view.mediaType !== 'application/pdf')
    throw new Error(`upload recorded ${JSON.stringify(view)}, expected size ${size} and sha256 ${sha}`);
  return { seconds: value.seconds, growth: growth[0] ?? 0 };
}

async function main(): Promise<boolean> {
  const rounds = positiveInt('BENCH_ROUNDS', 3, 20);
  return withBenchRun(async ({ dir, cluster, server }) => {
    const api = await server('api', SERVER);
    const ctx = await prepareTask(api.port, cluster.db.adminUrl);
    const evidenceDir = path.join(dir, 'app', 'evidence');

    say(`[file] writing ${FILE_BYTES / MiB} MiB in ${dir}`);
    const file = path.join(dir, 'bench.pdf');
    const sha = await writeTestFile(file, FILE_BYTES);
    const warm = path.join(dir, 'warm.pdf');
    const warmSha = await writeTestFile(warm, 8 * MiB);
    say('[warm-up] one 8 MiB upload, one baseline');
    await upload(api, ctx, warm, 8 * MiB, warmSha);
    await baseline(file, sha);

    const results: { baseline: number; upload: Upload }[] = [];
    for (let i = 1; i <= rounds; i++) {
      const base = await baseline(file, sha);
      const up = await upload(api, ctx, file, FILE_BYTES, sha);
      // Keep the disk from filling over the rounds: the stored copies are not needed.
      fs.rmSync(evidenceDir, { recursive: true, force: true });
      results.push({ baseline: base, upload: up });
      say(
        `[round ${i}] baseline ${base.toFixed(3)} s (${(FILE_BYTES / MiB / base).toFixed(0)} MiB/s), upload ${up.seconds.toFixed(3)} s (${(FILE_BYTES / MiB / up.seconds).toFixed(0)} MiB/s), ` +
          `api RSS +${(up.growth / MiB).toFixed(1)} MiB`,
      );
    }
    const baseSeconds = median(results.map((r) => r.baseline));
    const uploadSeconds = median(results.map((r) => r.upload.seconds));
    const ratio = median(results.map((r) => r.baseline / r.upload.seconds));
    const growth = Math.max(...results.map((r) => r.upload.growth));
    const ratioOk = ratio >= TARGET_RATIO;
    const rssOk = growth < RSS_LIMIT_BYTES;
    say('');
    say(
      `evidence upload: ${FILE_BYTES / MiB} MiB, node ${process.version}, ${os.availableParallelism()} CPUs, ${rounds} round(s), medians`,
    );
    say(`  baseline sha256sum + cp + sync: ${baseSeconds.toFixed(3)} s = ${(FILE_BYTES / MiB / baseSeconds).toFixed(0)} MiB/s`);
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
  });
}

main().then(
  (passed) => process.exit(passed ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(`bench evidence failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
