/**
 * `npm run bench:reminders`: 1,000,000 tasks over 50,000 tenants, 10,000 of them due tomorrow.
 *
 * 1. Sweep vs baseline, per round: the bare selection SQL (the same candidate query the sweep
 *    function runs, with its bound) run directly with `pg` as the superuser, no row-level
 *    security, rows fetched; then one real sweep (`sweepReminders`: the SECURITY DEFINER function
 *    as the app role with RLS on, 10,000 notification rows, their 400 pg-boss jobs (one per 25
 *    mails, each carrying only its id) in the same transaction, the requeue pass, commit). Between rounds the rows and jobs are removed.
 *    Target: sweep <= 2 x baseline (median of the per-round ratios).
 * 2. Sending: the real worker process (`dist/apps/worker/main.js`, as `npm run start:worker`)
 *    delivers the last round's 10,000 mails to a local SMTP sink in a child process.
 *    Target: >= 200 mails/s, from the sweep's commit to the last notification marked sent; and
 *    no duplicate: the sink counts Message-IDs, every notification ends `sent`.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { QUEUES } from '../apps/worker/queues';
import { SCHEMA } from '../apps/runtime/schema';
import { createLogger } from '../libs/core';
import { createDataSource, createJobQueue } from '../libs/db';
import { REMINDER_SELECTION_SQL, SWEEP_KINDS, sweepReminders } from '../libs/reminders';
import { makeRunDir, startBenchCluster, type BenchCluster } from './harness/database';
import { writeDataset } from './reminders/dataset';
import type { CounterMessage } from './reminders/smtp-counter';
import { median, say } from './harness/standalone';
import { positiveInt as positiveIntFrom } from './harness/options';

const SWEEP_TARGET = 2;
const SEND_TARGET = 200;
const WORKER = path.join(__dirname, '..', 'apps', 'worker', 'main.js');
const COUNTER = path.join(__dirname, 'reminders', 'smtp-counter.js');

const positiveInt = (name: string, fallback: number, max: number): number => positiveIntFrom(process.env, name, fallback, max);

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** The baseline: the selection the sweep function runs (libs/reminders' own statements), bare (superuser: no RLS), rows fetched. */
async function bareSelection(client: Client, now: Date): Promise<{ ms: number; rows: number }> {
  const start = process.hrtime.bigint();
  const [bound] = (await client.query<{ bound: string }>(REMINDER_SELECTION_SQL.bound, [now.toISOString()])).rows;
  const result = await client.query(REMINDER_SELECTION_SQL.candidates, [now.toISOString(), SWEEP_KINDS, bound?.bound]);
  return { ms: ms(start), rows: result.rowCount ?? 0 };
}

/**
 * Every due-tomorrow task must give one due-soon mail. From Monday 08:00 to Tuesday 08:00 in a
 * recipient's zone, due-soon mails are held for the week's digest (docs/reminders.md); the zones of
 * the dataset (UTC-10 to UTC+14) reach that window between Sunday 18:00 and Tuesday 18:00 UTC. A
 * run started on a Sunday, Monday or Tuesday (UTC) sweeps at the same time of day three days later.
 */
function awayFromDigestMornings(now: Date): Date {
  return now.getUTCDay() <= 2 ? new Date(now.getTime() + 3 * 86_400_000) : now;
}

async function startCounter(): Promise<{
  child: ChildProcess;
  port: number;
  stats: () => Promise<Extract<CounterMessage, { type: 'stats' }>>;
}> {
  const child = fork(COUNTER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the SMTP sink did not start')), 20_000);
    child.on('message', (m: CounterMessage) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.port);
      }
    });
  });
  const stats = (): Promise<Extract<CounterMessage, { type: 'stats' }>> =>
    new Promise((resolve) => {
      const onMessage = (m: CounterMessage): void => {
        if (m.type !== 'stats') return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      child.send({ type: 'stats' });
    });
  return { child, port, stats };
}

/** The worker process as `npm run start:worker` runs it; resolves once its schedules are registered. */
async function startWorker(cluster: BenchCluster, smtpUrl: string, dataDir: string): Promise<ChildProcess> {
  fs.mkdirSync(dataDir, { recursive: true });
  // BENCH_CPU_PROF profiles the worker too (a .cpuprofile per process in that folder).
  const profiles = process.env.BENCH_CPU_PROF?.trim();
  const child = spawn(process.execPath, [...(profiles ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : []), WORKER], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      DATABASE_URL: cluster.db.appUrl,
      DATABASE_OWNER_URL: cluster.db.ownerUrl,
      MIGRATE_ON_START: 'false',
      SEED_ON_START: 'false',
      SMTP_URL: smtpUrl,
      PUBLIC_URL: 'https://dutybook.example',
      JWT_SECRET: randomBytes(36).toString('base64url'),
      // Its own schedules stay out of the measured minute: a sweep or digest at the wall clock's
      // time (the rounds may sweep days ahead, see awayFromDigestMornings) would add mails.
      REMINDERS_CRON: '0 0 1 1 *',
      DIGEST_CRON: '0 0 1 1 *',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the worker did not start in 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('worker ready: schedules registered')) {
        clearTimeout(timer);
        resolve();
      }
      // Keep only the tail: the worker logs a line per job at info.
      if (out.length > 1_000_000) out = out.slice(-100_000);
    });
    child.once('exit', (code) => reject(new Error(`the worker exited (${code ?? 'signal'}) before it was ready:\n${out}`)));
  });
  return child;
}

async function main(): Promise<number> {
  const tenants = positiveInt('BENCH_TENANTS', 50_000, 1_000_000);
  const dueTomorrow = positiveInt('BENCH_DUE', 10_000, tenants);
  const rounds = positiveInt('BENCH_ROUNDS', 5, 20);
  const logger = createLogger('warn', 'bench-reminders');
  const dir = makeRunDir();
  const cluster = await startBenchCluster(dir, logger);
  const children: ChildProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await cluster.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const now = awayFromDigestMornings(new Date());
    say(`dataset: ${tenants} tenants x 20 tasks, ${dueTomorrow} due tomorrow ...`);
    let start = process.hrtime.bigint();
    const data = await writeDataset(cluster.db.adminUrl, { tenants, tasksPerTenant: 20, dueTomorrow }, now);
    say(`  ${data.tasks} tasks (${data.openTasks} open) written in ${(ms(start) / 1000).toFixed(1)} s`);

    const admin = new Client({ connectionString: cluster.db.adminUrl });
    await admin.connect();
    // The planner setting the sweep function carries (see the migration): the same plan on both sides.
    await admin.query('SET max_parallel_workers_per_gather = 0');
    // One connection, like the baseline's: both run warm, on one backend each.
    const ds = createDataSource({ url: cluster.db.appUrl, poolSize: 1, applicationName: 'bench-sweep' }, SCHEMA, logger);
    await ds.initialize();
    const boss = createJobQueue(cluster.db.appUrl, { applicationName: 'bench-sweep', schedule: false, supervise: false }, logger);
    const results: { round: number; baselineMs: number; sweepMs: number; rows: number; queued: number }[] = [];
    try {
      // Warm both paths once (plans, caches), not counted: the sweep a month earlier finds nothing due.
      await bareSelection(admin, now);
      await sweepReminders(ds, boss, { queue: QUEUES.mailSend.name, now: new Date(now.getTime() - 30 * 86_400_000), kinds: SWEEP_KINDS });
      // The bulk load's WAL is flushed now, not by a checkpoint in the middle of a round.
      await admin.query('CHECKPOINT');
      for (let round = 1; round <= rounds; round++) {
        const baselines: number[] = [];
        let rows = 0;
        for (let i = 0; i < 3; i++) {
          const b = await bareSelection(admin, now);
          baselines.push(b.ms);
          rows = b.rows;
        }
        start = process.hrtime.bigint();
        const swept = await sweepReminders(ds, boss, { queue: QUEUES.mailSend.name, now, kinds: SWEEP_KINDS });
        const sweepMs = ms(start);
        results.push({ round, baselineMs: median(baselines), sweepMs, rows, queued: swept.queued });
        say(
          `round ${round}: baseline ${median(baselines).toFixed(0)} ms (${rows} rows), sweep ${sweepMs.toFixed(0)} ms (${swept.queued} queued), ratio ${(sweepMs / median(baselines)).toFixed(2)}`,
        );
        if (round < rounds) {
          await admin.query('DELETE FROM notification');
          await admin.query('DELETE FROM pgboss.job WHERE name = $1', [QUEUES.mailSend.name]);
          await admin.query('VACUUM ANALYZE notification');
          await admin.query('CHECKPOINT');
        }
      }
    } finally {
      await ds.destroy();
    }
    const ratio = median(results.map((r) => r.sweepMs / r.baselineMs));
    const countsOk = results.every((r) => r.queued === dueTomorrow && r.rows === dueTomorrow);

    // Sending the last round's mails: the real worker process and a sink in another process.
    const counter = await startCounter();
    children.push(counter.child);
    const [committed] = (await admin.query<{ at: Date }>('SELECT max(created_at) AS at FROM notification')).rows;
    say(`sending ${dueTomorrow} mails through the worker process to a local SMTP sink ...`);
    start = process.hrtime.bigint();
    const worker = await startWorker(cluster, `smtp://127.0.0.1:${counter.port}`, path.join(dir, 'worker'));
    children.push(worker);
    const startupMs = ms(start);
    const sendStart = process.hrtime.bigint();
    let sent = 0;
    for (const deadline = Date.now() + 600_000; Date.now() < deadline;) {
      sent = (await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM notification WHERE status = 'sent'")).rows[0]?.n ?? 0;
      if (sent >= dueTomorrow) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const sendMs = ms(sendStart);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stats = await counter.stats();
    const [states] = (
      await admin.query<{ queued: number; failed: number; sent: number }>(
        "SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued, count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*) FILTER (WHERE status = 'sent')::int AS sent FROM notification",
      )
    ).rows;
    await admin.end();
    const sinkSpanMs = stats.firstAt !== null && stats.lastAt !== null ? stats.lastAt - stats.firstAt : sendMs;
    const rate = (sent / sendMs) * 1000;
    const noDuplicate = stats.messages === stats.distinct && stats.messages === dueTomorrow && states?.sent === dueTomorrow;

    say('');
    say(`| round | bare selection (pg, superuser) | sweep (select + insert + queue, app role, RLS) | ratio |`);
    say(`|---:|---:|---:|---:|`);
    for (const r of results)
      say(`| ${r.round} | ${r.baselineMs.toFixed(0)} ms | ${r.sweepMs.toFixed(0)} ms | ${(r.sweepMs / r.baselineMs).toFixed(2)} |`);
    say('');
    say(`sweep/baseline (median): ${ratio.toFixed(2)} (target <= ${SWEEP_TARGET}) ${ratio <= SWEEP_TARGET ? 'PASS' : 'MISS'}`);
    say(`rows: ${countsOk ? `${dueTomorrow} selected and queued in every round` : `MISMATCH ${JSON.stringify(results)}`}`);
    say(
      `worker start-up ${(startupMs / 1000).toFixed(1)} s (not counted); ${sent} sent in ${(sendMs / 1000).toFixed(1)} s after start-up = ${rate.toFixed(0)} mails/s (target >= ${SEND_TARGET}) ${rate >= SEND_TARGET ? 'PASS' : 'MISS'}`,
    );
    say(
      `sink: ${stats.messages} messages, ${stats.distinct} distinct Message-IDs, first to last ${(sinkSpanMs / 1000).toFixed(1)} s (${((stats.messages / Math.max(1, sinkSpanMs)) * 1000).toFixed(0)}/s); notifications: ${JSON.stringify(states)}; ${noDuplicate ? 'no duplicate, none lost' : 'DUPLICATE OR LOSS'}`,
    );
    say(`(sweep written at ${committed?.at ? new Date(committed.at).toISOString() : '?'})`);
    const json = process.env.BENCH_JSON?.trim();
    if (json)
      fs.writeFileSync(
        json,
        JSON.stringify(
          { tenants, dueTomorrow, rounds: results, ratio, sent, sendMs, startupMs, rate, sink: stats, states, node: process.version },
          null,
          2,
        ),
      );
    return ratio <= SWEEP_TARGET && rate >= SEND_TARGET && noDuplicate && countsOk ? 0 : 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:reminders failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
