import { Inject, Injectable, Optional } from '@nestjs/common';
import { METRICS_SINK, type MetricsSink, type RateLimit } from '../core';
import { RateLimitRepository, type WindowState } from './rate-limit.repository';
import { RateLimitedError } from './tenancy.errors';

/**
 * Hits in the sliding window that ends now, estimated from two fixed windows: all of the current
 * one plus the previous one's hits weighted by how much of it the sliding window still covers.
 * A fixed window alone resets on the clock (a burst at its end and another at the start of the
 * next pass twice the limit); a log of every hit would be exact but grows with an attack.
 */
export function slidingCount(state: WindowState, windowSeconds: number): number {
  // No hit for a whole window: the sliding window holds none, whatever the weighting says.
  if (state.sinceLast !== null && state.sinceLast >= windowSeconds) return 0;
  const weight = Math.max(0, 1 - state.elapsed / windowSeconds);
  return state.current + Math.floor(state.previous * weight);
}

/** Seconds until slidingCount drops below `limit` with no further hits (at least 1). */
export function secondsUntilBelow(state: WindowState, windowSeconds: number, limit: number): number {
  const w = windowSeconds;
  let wait: number;
  if (state.current < limit) {
    // previous * (1 - (elapsed + t) / w) < limit - current
    wait = state.previous === 0 ? 0 : w * (1 - (limit - state.current) / state.previous) - state.elapsed;
  } else {
    // Only in the next window: current * (1 - u / w) < limit, u seconds into it.
    wait = w - state.elapsed + w * (1 - limit / state.current);
  }
  // +1: at `wait` itself the count equals the limit still. At the latest, a window after the
  // last hit the sliding window is empty.
  const seconds = Math.floor(wait) + 1;
  return Math.max(1, state.sinceLast === null ? seconds : Math.min(seconds, Math.ceil(windowSeconds - state.sinceLast)));
}

/**
 * Counters in Postgres, so every api process shares them, keyed by bucket (what is limited) and
 * key (an IP, an email, a tenant). Sliding windows (slidingCount). Called outside a unit of work:
 * a counted attempt stays counted even when the request then fails.
 */
@Injectable()
export class RateLimitService {
  constructor(
    private readonly counters: RateLimitRepository,
    // Counts refusals by limit (dutybook_rate_limit_refusals_total) where the process has metrics.
    @Optional() @Inject(METRICS_SINK) private readonly metrics?: MetricsSink,
  ) {}

  private refuse(bucket: string, retryAfterSeconds: number): RateLimitedError {
    this.metrics?.rateLimitRefused(bucket);
    return new RateLimitedError(retryAfterSeconds);
  }

  /** Counts one attempt; throws RATE_LIMITED when it is past the limit. */
  async hit(bucket: string, key: string, rule: RateLimit): Promise<void> {
    const state = await this.counters.increment(bucket, key, rule.windowSeconds);
    if (slidingCount(state, rule.windowSeconds) > rule.limit) {
      throw this.refuse(bucket, secondsUntilBelow(state, rule.windowSeconds, rule.limit));
    }
  }

  /** Counts one attempt without judging it (failed logins are judged on the next attempt). */
  async record(bucket: string, key: string, rule: RateLimit): Promise<void> {
    await this.counters.increment(bucket, key, rule.windowSeconds);
  }

  /** Throws RATE_LIMITED when the limit is already reached, without counting. */
  async check(bucket: string, key: string, rule: RateLimit): Promise<void> {
    const state = await this.counters.current(bucket, key, rule.windowSeconds);
    if (slidingCount(state, rule.windowSeconds) >= rule.limit) {
      throw this.refuse(bucket, secondsUntilBelow(state, rule.windowSeconds, rule.limit));
    }
  }

  /**
   * Growing delays instead of a lock: the first `rule.limit` attempts in the window are free;
   * after that each attempt must come at least 1 s after the last one counted, then 2 s, 4 s, ...
   * (doubling per attempt past the limit), never more than the window. Without counting.
   */
  async checkBackoff(bucket: string, key: string, rule: RateLimit): Promise<void> {
    const state = await this.counters.current(bucket, key, rule.windowSeconds);
    const excess = slidingCount(state, rule.windowSeconds) - rule.limit;
    if (excess < 0 || state.sinceLast === null) return;
    const delay = Math.min(rule.windowSeconds, 2 ** Math.min(excess, 30));
    if (state.sinceLast < delay) throw this.refuse(bucket, Math.max(1, Math.ceil(delay - state.sinceLast)));
  }

  /** Forgets a key's counters (a successful login clears its own source's failures). */
  async clear(bucket: string, key: string): Promise<void> {
    await this.counters.clear(bucket, key);
  }

  /** Forgets the counters of every key that starts with `prefix` (an account's failures from every address). */
  async clearPrefix(bucket: string, prefix: string): Promise<void> {
    await this.counters.clearPrefix(bucket, prefix);
  }
}
