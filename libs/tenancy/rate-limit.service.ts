import { Injectable } from '@nestjs/common';
import type { RateLimit } from '../core';
import { RateLimitRepository, type WindowCount } from './rate-limit.repository';
import { RateLimitedError } from './tenancy.errors';

/**
 * Fixed-window counters in Postgres, so every api process shares them. Counters are keyed by
 * bucket (what is limited) and key (an IP, an email). Called outside a unit of work: a counted
 * attempt stays counted even when the request then fails.
 */
@Injectable()
export class RateLimitService {
  constructor(private readonly counters: RateLimitRepository) {}

  /** Counts one attempt; throws RATE_LIMITED once the window's limit is passed. */
  async hit(bucket: string, key: string, rule: RateLimit): Promise<void> {
    const row = await this.record(bucket, key, rule);
    if (row.hits > rule.limit) throw new RateLimitedError(Math.max(1, row.retryAfter));
  }

  /** Counts one attempt without judging it (failed logins are judged on the next attempt). */
  record(bucket: string, key: string, rule: RateLimit): Promise<WindowCount> {
    return this.counters.increment(bucket, key, rule.windowSeconds);
  }

  /** Throws RATE_LIMITED when the window's limit is already reached, without counting. */
  async check(bucket: string, key: string, rule: RateLimit): Promise<void> {
    const row = await this.counters.current(bucket, key, rule.windowSeconds);
    if (row && row.hits >= rule.limit) throw new RateLimitedError(Math.max(1, row.retryAfter));
  }

  /** Forgets a key's counters (a successful login clears its account's failures). */
  async clear(bucket: string, key: string): Promise<void> {
    await this.counters.clear(bucket, key);
  }
}
