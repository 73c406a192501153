import { Injectable } from '@nestjs/common';
import { TenantDb } from '../db';
import type { RateLimitHitEntity } from './rate-limit-hit.entity';

/** Read model of a window's counter: hits so far and seconds until the window ends. */
export type WindowCount = Pick<RateLimitHitEntity, 'hits'> & { retryAfter: number };

// The fixed window `now` falls in, for a window of $3 seconds.
const WINDOW = 'to_timestamp(floor(extract(epoch FROM now()) / $3) * $3)';
const RETRY_AFTER = 'ceil(extract(epoch FROM window_start + make_interval(secs => $3) - now()))::int AS "retryAfter"';

/** Rate-limit counters (rate_limit_hit). Not tenant-owned; each call autocommits outside a unit of work. */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly db: TenantDb) {}

  async increment(bucket: string, key: string, windowSeconds: number): Promise<WindowCount> {
    const [row] = await this.db.em.query<WindowCount[]>(
      `INSERT INTO rate_limit_hit (bucket, key, window_start, hits) VALUES ($1, $2, ${WINDOW}, 1)
       ON CONFLICT (bucket, key, window_start) DO UPDATE SET hits = rate_limit_hit.hits + 1
       RETURNING hits, ${RETRY_AFTER}`,
      [bucket, key, windowSeconds],
    );
    if (!row) throw new Error('rate_limit_hit upsert returned no row');
    return row;
  }

  async current(bucket: string, key: string, windowSeconds: number): Promise<WindowCount | null> {
    const [row] = await this.db.em.query<WindowCount[]>(
      `SELECT hits, ${RETRY_AFTER} FROM rate_limit_hit WHERE bucket = $1 AND key = $2 AND window_start = ${WINDOW}`,
      [bucket, key, windowSeconds],
    );
    return row ?? null;
  }

  async clear(bucket: string, key: string): Promise<void> {
    await this.db.em.query('DELETE FROM rate_limit_hit WHERE bucket = $1 AND key = $2', [bucket, key]);
  }

  /** Deletes windows that started more than a day ago. */
  async pruneOld(): Promise<number> {
    const result = await this.db.em.query<[unknown[], number]>("DELETE FROM rate_limit_hit WHERE window_start < now() - interval '1 day'");
    return result[1];
  }
}
