import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { RateLimit } from '../core';
import { RateLimitedError } from './tenancy.errors';

export interface Row {
  hits: number;
  retry_after: number;
}

/**
 * Fixed-window counters in Postgres, so every api process shares them. Counters are keyed by
 * bucket (what is limited) and key (an IP, an email).
 */
@Injectable()
export class RateLimitService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Counts one attempt; throws RATE_LIMITED once the window's limit is passed. */
  async hit(bucket: string, key: string, rule: RateLimit): Promise<void> {
    const row = await this.record(bucket, key, rule);
    if (row.hits > rule.limit) throw new RateLimitedError(Math.max(1, row.retry_after));
  }

  /** Counts one attempt without judging it (failed logins are judged on the next attempt). */
  async record(bucket: string, key: string, rule: RateLimit): Promise<Row> {
    const [row] = await this.ds.query<Row[]>(
      `INSERT INTO rate_limit_hit (bucket, key, window_start, hits)
       VALUES ($1, $2, to_timestamp(floor(extract(epoch FROM now()) / $3) * $3), 1)
       ON CONFLICT (bucket, key, window_start) DO UPDATE SET hits = rate_limit_hit.hits + 1
       RETURNING hits, ceil(extract(epoch FROM window_start + make_interval(secs => $3) - now()))::int AS retry_after`,
      [bucket, key, rule.windowSeconds],
    );
    if (!row) throw new Error('rate_limit_hit upsert returned no row');
    return row;
  }

  /** Throws RATE_LIMITED when the window's limit is already reached, without counting. */
  async check(bucket: string, key: string, rule: RateLimit): Promise<void> {
    const [row] = await this.ds.query<Row[]>(
      `SELECT hits, ceil(extract(epoch FROM window_start + make_interval(secs => $3) - now()))::int AS retry_after
         FROM rate_limit_hit
        WHERE bucket = $1 AND key = $2 AND window_start = to_timestamp(floor(extract(epoch FROM now()) / $3) * $3)`,
      [bucket, key, rule.windowSeconds],
    );
    if (row && row.hits >= rule.limit) throw new RateLimitedError(Math.max(1, row.retry_after));
  }

  /** Forgets a key's counters (a successful login clears its account's failures). */
  async clear(bucket: string, key: string): Promise<void> {
    await this.ds.query('DELETE FROM rate_limit_hit WHERE bucket = $1 AND key = $2', [bucket, key]);
  }
}
