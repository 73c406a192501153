import { Injectable } from '@nestjs/common';
import { TenantDb } from '../db';

/**
 * Read model of one (bucket, key) for a window length: hits in the current fixed window and in the
 * one before it, how far the current window has run, and how long ago the last hit was counted.
 */
export interface WindowState {
  readonly current: number;
  readonly previous: number;
  /** Seconds since the current window began. */
  readonly elapsed: number;
  /** Seconds since the last counted hit in either window; null when there is none. */
  readonly sinceLast: number | null;
}

// The fixed window `now` falls in, for a window of $3 seconds.
const WINDOW = 'to_timestamp(floor(extract(epoch FROM now()) / $3::int) * $3::int)';

/** Rate-limit counters (rate_limit_hit). Not tenant-owned; each call autocommits outside a unit of work. */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly db: TenantDb) {}

  /** Counts one hit in the current window (atomic upsert) and returns the state with it. */
  async increment(bucket: string, key: string, windowSeconds: number): Promise<WindowState> {
    const [row] = await this.db.em.query<WindowState[]>(
      `WITH cur AS (
         INSERT INTO rate_limit_hit (bucket, key, window_start, hits, window_seconds, last_hit_at)
         VALUES ($1, $2, ${WINDOW}, 1, $3::int, now())
         ON CONFLICT (bucket, key, window_start) DO UPDATE SET hits = rate_limit_hit.hits + 1, last_hit_at = now()
         RETURNING hits, window_start
       )
       SELECT cur.hits AS current, coalesce(prev.hits, 0) AS previous,
              extract(epoch FROM now() - cur.window_start)::float8 AS elapsed, 0::float8 AS "sinceLast"
       FROM cur
       LEFT JOIN rate_limit_hit prev
         ON prev.bucket = $1 AND prev.key = $2 AND prev.window_start = cur.window_start - make_interval(secs => $3::int)`,
      [bucket, key, windowSeconds],
    );
    if (!row) throw new Error('rate_limit_hit upsert returned no row');
    return row;
  }

  async current(bucket: string, key: string, windowSeconds: number): Promise<WindowState> {
    const [row] = await this.db.em.query<WindowState[]>(
      `WITH w AS (SELECT ${WINDOW} AS start)
       SELECT coalesce(sum(h.hits) FILTER (WHERE h.window_start = w.start), 0)::int AS current,
              coalesce(sum(h.hits) FILTER (WHERE h.window_start < w.start), 0)::int AS previous,
              extract(epoch FROM now() - w.start)::float8 AS elapsed,
              extract(epoch FROM now() - max(h.last_hit_at))::float8 AS "sinceLast"
       FROM w
       LEFT JOIN rate_limit_hit h
         ON h.bucket = $1 AND h.key = $2 AND h.window_start >= w.start - make_interval(secs => $3::int)
       GROUP BY w.start`,
      [bucket, key, windowSeconds],
    );
    if (!row) throw new Error('rate_limit_hit read returned no row');
    return row;
  }

  async clear(bucket: string, key: string): Promise<void> {
    await this.db.em.query('DELETE FROM rate_limit_hit WHERE bucket = $1 AND key = $2', [bucket, key]);
  }

  /** Forgets every key of the bucket that starts with `prefix` (compared as text: no LIKE wildcards). */
  async clearPrefix(bucket: string, prefix: string): Promise<void> {
    await this.db.em.query('DELETE FROM rate_limit_hit WHERE bucket = $1 AND left(key, length($2)) = $2', [bucket, prefix]);
  }

  /** Deletes windows that ended more than a window ago: no limit reads them any more. */
  async pruneOld(): Promise<number> {
    const result = await this.db.em.query<[unknown[], number]>(
      'DELETE FROM rate_limit_hit WHERE window_start < now() - make_interval(secs => 2 * window_seconds)',
    );
    return result[1];
  }
}
