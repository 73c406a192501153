import autocannon from 'autocannon';
import type { BenchRequest, ProbeResponse } from './scenario';

export interface LoadResult {
  /** Mean of the per-second request counts. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly durationSeconds: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Responses whose status was not the one the request expects. */
  readonly unexpectedStatuses: Readonly<Record<string, number>>;
}

/** A check failed: the figures would not compare like with like. Reported without a stack. */
export class BenchCheckError extends Error {}

let current: autocannon.Instance | undefined;
let stopped = false;

/** Stops the load generator for good: a running load rejects, later ones do not start. */
export function stopLoad(): void {
  stopped = true;
  current?.stop();
}

const expected = (r: BenchRequest): number => r.expectStatus ?? 200;

/** Sends every request once, in order, and returns the first response to the first one. */
export async function probe(baseUrl: string, requests: readonly BenchRequest[]): Promise<ProbeResponse> {
  let first: ProbeResponse | undefined;
  for (const r of requests) {
    const init: RequestInit = { method: r.method, headers: { ...r.headers } };
    if (r.body !== undefined) init.body = r.body;
    const res = await fetch(new URL(r.path, baseUrl), init);
    const text = await res.text();
    const body: unknown = (res.headers.get('content-type') ?? '').includes('json') && text !== '' ? JSON.parse(text) : text;
    if (res.status !== expected(r)) {
      throw new BenchCheckError(`${r.method} ${r.path} answered ${res.status}, expected ${expected(r)}: ${text.slice(0, 300)}`);
    }
    first ??= { status: res.status, body };
  }
  if (!first) throw new Error('a scenario needs at least one request');
  return first;
}

/** Runs autocannon against baseUrl for the given seconds; connections cycle through requests. */
export async function runLoad(
  baseUrl: string,
  requests: readonly BenchRequest[],
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    if (stopped) {
      reject(new Error('load stopped'));
      return;
    }
    current = autocannon(
      {
        url: baseUrl,
        connections,
        duration: seconds,
        requests: requests.map((r) => ({ method: r.method, path: r.path, headers: { ...r.headers }, body: r.body })),
      },
      (error: unknown, res: autocannon.Result) => {
        current = undefined;
        if (stopped) reject(new Error('load stopped'));
        else if (error) reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        else resolve(res);
      },
    );
  });
  const allowed = new Set(requests.map((r) => String(expected(r))));
  const unexpectedStatuses: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    if (!allowed.has(status)) unexpectedStatuses[status] = stats.count ?? 0;
  }
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    durationSeconds: result.duration,
    errors: result.errors,
    timeouts: result.timeouts,
    unexpectedStatuses,
  };
}

/** Why a measured run does not count, if it does not. */
export function loadProblems(result: LoadResult): string[] {
  const problems: string[] = [];
  if (result.errors > 0) problems.push(`${result.errors} connection errors (${result.timeouts} timeouts)`);
  const statuses = Object.entries(result.unexpectedStatuses);
  if (statuses.length > 0) problems.push(`unexpected statuses: ${statuses.map(([s, n]) => `${s} x${n}`).join(', ')}`);
  if (result.total === 0) problems.push('no response at all');
  return problems;
}
