/**
 * `npm run bench:catalog-upgrade`: 10,000 tenants subscribed to the first reading of the Private
 * Exchange catalog (2024-06-26) are upgraded to the corrected version (2024-06-25) by the worker.
 *
 * Per round, on the same fresh database (docs/benchmarks.md#catalog-upgrade):
 * - **app**: the real worker process (`dist/apps/worker/main.js`, as `npm run start:worker`) works
 *   the `catalog-upgrade` jobs that `queueCatalogUpgrades` writes (100 subscriptions a job, each
 *   upgrade `CatalogUpgradeService.apply` in its own unit of work, as the app role under RLS, with
 *   its audit events). Timed from queueing the jobs to the last subscription on the new version.
 * - **baseline**: the same inserts and updates as bare SQL (`bench/catalog-upgrade/baseline.ts`),
 *   one transaction per tenant on a superuser `pg` connection, with as many connections as the
 *   worker works jobs at once (2).
 * Each side upgrades its own, identical set of tenants, written for the round; the order of the two
 * alternates between rounds. Then both sides' results are compared (tasks created, withdrawn,
 * flagged, audit events). Target: app <= 2 x baseline (median of the per-round ratios).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { SCHEMA } from '../apps/runtime/schema';
import { createLogger } from '../libs/core';
import { createDataSource } from '../libs/db';
import { queueCatalogUpgrades, todayIn } from '../libs/tasks';
import { bareUpgrade, computeStep, type BareContext } from './catalog-upgrade/baseline';
import { writeTenants } from './catalog-upgrade/dataset';
import { makeRunDir, startBenchCluster, type BenchCluster } from './harness/database';
import { positiveInt } from './harness/options';

const TARGET = 2;
const WORKER = path.join(__dirname, '..', 'apps', 'worker', 'main.js');
const OLD = '2024-06-26';
const NEW = '2024-06-25';
const CONCURRENCY = 2;
/** Set by SIGINT/SIGTERM (130/143). */
let exitCode: number | undefined;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function startWorker(cluster: BenchCluster, dataDir: string): Promise<ChildProcess> {
  fs.mkdirSync(dataDir, { recursive: true });
  // BENCH_CPU_PROF profiles the worker too (a .cpuprofile per process in that folder).
  const profiles = process.env.BENCH_CPU_PROF?.trim();
  const child = spawn(process.execPath, [...(profiles ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : []), WORKER], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: cluster.db.appUrl,
      DATABASE_OWNER_URL: cluster.db.ownerUrl,
      MIGRATE_ON_START: 'false',
      SEED_ON_START: 'false',
      PUBLIC_URL: 'https://dutybook.example',
      JWT_SECRET: randomBytes(36).toString('base64url'),
      // No sweep, digest or roll-over of its own during the measurement.
      REMINDERS_CRON: '0 0 1 1 *',
      DIGEST_CRON: '0 0 1 1 *',
      ROLLOVER_CRON: '0 0 1 1 *',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // LOG_LEVEL=warn hides the ready line: readiness is the worker's pg-boss connection instead.
  child.stdout.resume();
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the worker exited (${code ?? 'signal'}) before it was ready`)));
    const admin = new Client({ connectionString: cluster.db.adminUrl });
    const deadline = Date.now() + 60_000;
    void (async () => {
      await admin.connect();
      try {
        while (Date.now() < deadline) {
          const [row] = (
            await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'dutybook-worker'")
          ).rows;
          if ((row?.n ?? 0) > 0) {
            await new Promise((r) => setTimeout(r, 2000));
            return resolve();
          }
          await new Promise((r) => setTimeout(r, 200));
        }
        reject(new Error('the worker did not connect in 60 s'));
      } finally {
        await admin.end();
      }
    })().catch(reject);
  });
  return child;
}

interface SideResult {
  readonly ms: number;
  readonly upgraded: number;
  readonly facts: Record<string, number>;
}

/** What an upgrade left behind for one label's tenants: both sides must match. */
async function facts(admin: Client, label: string, tenants: number): Promise<Record<string, number>> {
  const [row] = (
    await admin.query<Record<string, number>>(
      `WITH t AS (SELECT md5($1 || '-tenant-' || i)::uuid AS id FROM generate_series(1, $2) i)
       SELECT (SELECT count(*)::int FROM task WHERE tenant_id IN (SELECT id FROM t) AND status = 'withdrawn') AS withdrawn,
              (SELECT count(*)::int FROM task WHERE tenant_id IN (SELECT id FROM t) AND catalog_change IS NOT NULL) AS flagged,
              (SELECT count(*)::int FROM task WHERE tenant_id IN (SELECT id FROM t)) AS tasks,
              (SELECT count(*)::int FROM task WHERE tenant_id IN (SELECT id FROM t) AND status = 'todo') AS open,
              (SELECT count(*)::int FROM audit_event WHERE tenant_id IN (SELECT id FROM t)) AS audit_events`,
      [label, tenants],
    )
  ).rows;
  return row ?? {};
}

async function main(): Promise<number> {
  let tenants: number;
  let rounds: number;
  try {
    tenants = positiveInt(process.env, 'BENCH_TENANTS', 10_000, 200_000);
    rounds = positiveInt(process.env, 'BENCH_ROUNDS', 1, 10);
  } catch (error: unknown) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const logger = createLogger('warn', 'bench-catalog-upgrade');
  const dir = makeRunDir();
  const cluster = await startBenchCluster(dir, logger);
  let worker: ChildProcess | undefined;
  const stopAll = async (): Promise<void> => {
    const w = worker;
    if (w && w.exitCode === null && w.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => w.kill('SIGKILL'), 15_000);
        w.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        w.kill('SIGTERM');
      });
    }
    await cluster.stop();
  };
  const interrupted = (code: number) => (): void => {
    // The measurement's own queries fail once the cluster stops: the signal's code wins over that failure.
    exitCode = code;
    void stopAll().then(() => process.exit(code));
  };
  process.once('SIGINT', interrupted(130));
  process.once('SIGTERM', interrupted(143));
  const admin = new Client({ connectionString: cluster.db.adminUrl });
  await admin.connect();
  const ds = createDataSource({ url: cluster.db.appUrl, poolSize: 1, applicationName: 'bench-queue' }, SCHEMA, logger);
  const owner = createDataSource({ url: cluster.db.ownerUrl, poolSize: 1, applicationName: 'bench-step' }, SCHEMA, logger);
  const bare = [...Array(CONCURRENCY).keys()].map(() => new Client({ connectionString: cluster.db.adminUrl }));
  try {
    await ds.initialize();
    await owner.initialize();
    for (const c of bare) await c.connect();
    const versions = (
      await admin.query<{ id: string; catalog_id: string; version: string; key: string }>(
        `SELECT v.id, v.catalog_id, v.version, c.key FROM catalog_version v JOIN catalog c ON c.id = v.catalog_id
          WHERE c.key = 'ovhcloud-private-exchange' AND c.tenant_id IS NULL`,
      )
    ).rows;
    const from = versions.find((v) => v.version === OLD);
    const to = versions.find((v) => v.version === NEW);
    if (!from || !to) throw new Error('the seeded Private Exchange versions are missing');
    const ctx: BareContext = {
      step: await computeStep(owner, from.id, to.id),
      catalogKey: from.key,
      fromVersion: OLD,
      toVersion: NEW,
      toVersionId: to.id,
      today: todayIn('Europe/Paris'),
    };
    await owner.destroy();
    say(
      `step: ${ctx.step.add.length} added, ${ctx.step.withdraw.length} withdrawn, ${ctx.step.moves.filter((m) => m.changes).length} changed duties`,
    );

    const start = process.hrtime.bigint();
    worker = await startWorker(cluster, path.join(dir, 'worker'));
    say(`worker started in ${(ms(start) / 1000).toFixed(1)} s (not counted)`);

    const upgradedCount = async (label: string): Promise<number> =>
      (
        await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM subscription WHERE catalog_version_id = $1 AND created_by IN (SELECT md5($2 || '-user-' || i)::uuid FROM generate_series(1, $3) i)`,
          [to.id, label, tenants],
        )
      ).rows[0]?.n ?? 0;

    const runApp = async (label: string, subs: { tenantId: string; subscriptionId: string }[]): Promise<SideResult> => {
      const t0 = process.hrtime.bigint();
      await ds.transaction((em) => queueCatalogUpgrades(em, NEW, subs));
      let upgraded = 0;
      for (const deadline = Date.now() + 1_800_000; Date.now() < deadline;) {
        upgraded = await upgradedCount(label);
        if (upgraded >= subs.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return { ms: ms(t0), upgraded, facts: await facts(admin, label, tenants) };
    };
    const runBaseline = async (label: string, subs: { tenantId: string; subscriptionId: string }[]): Promise<SideResult> => {
      const t0 = process.hrtime.bigint();
      let next = 0;
      await Promise.all(
        bare.map(async (c) => {
          while (next < subs.length) {
            const s = subs[next++];
            if (s) await bareUpgrade(c, ctx, s.tenantId, s.subscriptionId);
          }
        }),
      );
      const elapsed = ms(t0);
      return { ms: elapsed, upgraded: await upgradedCount(label), facts: await facts(admin, label, tenants) };
    };

    const results: { round: number; app: SideResult; baseline: SideResult }[] = [];
    for (let round = 1; round <= rounds; round++) {
      const t1 = process.hrtime.bigint();
      const appSubs = await writeTenants(cluster.db.adminUrl, `r${round}-app`, tenants, { id: from.id, catalogId: from.catalog_id });
      const baseSubs = await writeTenants(cluster.db.adminUrl, `r${round}-base`, tenants, { id: from.id, catalogId: from.catalog_id });
      await admin.query('CHECKPOINT');
      say(`round ${round}: ${tenants} + ${tenants} tenants written in ${(ms(t1) / 1000).toFixed(1)} s`);
      let app: SideResult;
      let baseline: SideResult;
      if (round % 2 === 1) {
        baseline = await runBaseline(`r${round}-base`, baseSubs);
        await admin.query('CHECKPOINT');
        app = await runApp(`r${round}-app`, appSubs);
      } else {
        app = await runApp(`r${round}-app`, appSubs);
        await admin.query('CHECKPOINT');
        baseline = await runBaseline(`r${round}-base`, baseSubs);
      }
      results.push({ round, app, baseline });
      say(
        `round ${round}: baseline ${(baseline.ms / 1000).toFixed(1)} s, app ${(app.ms / 1000).toFixed(1)} s, ratio ${(app.ms / baseline.ms).toFixed(2)}; ` +
          `app ${JSON.stringify(app.facts)}, baseline ${JSON.stringify(baseline.facts)}`,
      );
    }
    const ratio = median(results.map((r) => r.app.ms / r.baseline.ms));
    const same = results.every(
      (r) =>
        r.app.upgraded === tenants && r.baseline.upgraded === tenants && JSON.stringify(r.app.facts) === JSON.stringify(r.baseline.facts),
    );
    say('');
    say('| round | baseline (bare SQL, 2 connections) | app (worker, catalog-upgrade jobs) | ratio |');
    say('|---:|---:|---:|---:|');
    for (const r of results)
      say(
        `| ${r.round} | ${(r.baseline.ms / 1000).toFixed(1)} s | ${(r.app.ms / 1000).toFixed(1)} s | ${(r.app.ms / r.baseline.ms).toFixed(2)} |`,
      );
    say('');
    say(`app/baseline (median): ${ratio.toFixed(2)} (target <= ${TARGET}) ${ratio <= TARGET ? 'PASS' : 'MISS'}`);
    say(`results: ${same ? `${tenants} tenants upgraded on each side, same tasks and audit events` : 'MISMATCH between app and baseline'}`);
    const json = process.env.BENCH_JSON?.trim();
    if (json) fs.writeFileSync(json, JSON.stringify({ tenants, rounds: results, ratio, node: process.version }, null, 2));
    return ratio <= TARGET && same ? 0 : 1;
  } finally {
    await admin.end().catch(() => undefined);
    for (const c of bare) await c.end().catch(() => undefined);
    if (ds.isInitialized) await ds.destroy();
    if (owner.isInitialized) await owner.destroy();
    await stopAll();
  }
}

main().then(
  (code) => process.exit(exitCode ?? code),
  (error: unknown) => {
    if (exitCode !== undefined) process.exit(exitCode);
    process.stderr.write(`bench:catalog-upgrade failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
