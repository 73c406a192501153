/**
 * What libs count for the process's metrics. Libs do not import prom-client: the runtime
 * (apps/runtime/metrics.ts) implements this interface and provides it as METRICS_SINK; a lib
 * takes it as an optional dependency, so a process without metrics (a CLI) needs nothing.
 */
export interface MetricsSink {
  /** One request refused by a rate limit; `limit` is the limit's bucket name (`login-source`, `signup`, ...). */
  rateLimitRefused(limit: string): void;
}

export const METRICS_SINK = Symbol('METRICS_SINK');
