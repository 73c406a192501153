/** Knobs of a bench run. Only the bench reads these variables; the product's own go through loadConfig. */
export interface BenchOptions {
  /** Seconds of load before the measured run, not counted. */
  readonly warmupSeconds: number;
  /** Seconds of the measured run. */
  readonly durationSeconds: number;
  /** Concurrent connections of the load generator. */
  readonly connections: number;
  /** Rounds of (app, baseline); with more than one, medians are reported. */
  readonly rounds: number;
  /** DATABASE_POOL_SIZE of the app, and the baseline's pool size. */
  readonly poolSize: number;
  /** When set, the results are also written there as JSON. */
  readonly jsonFile: string | undefined;
  /** When set, both servers run with --cpu-prof and write their profiles in this folder. */
  readonly cpuProfileDir: string | undefined;
}

/** A whole-number BENCH_* variable, with its default and a ceiling; a bad value names the variable. */
export function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${name} must be a whole number between 1 and ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

export function benchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  return {
    warmupSeconds: positiveInt(env, 'BENCH_WARMUP', 3, 600),
    durationSeconds: positiveInt(env, 'BENCH_DURATION', 10, 3600),
    connections: positiveInt(env, 'BENCH_CONNECTIONS', 20, 1000),
    rounds: positiveInt(env, 'BENCH_ROUNDS', 1, 20),
    poolSize: 10,
    jsonFile: env.BENCH_JSON?.trim() || undefined,
    cpuProfileDir: env.BENCH_CPU_PROF?.trim() || undefined,
  };
}
