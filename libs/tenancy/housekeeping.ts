import type { DataSource } from 'typeorm';

export interface HousekeepingResult {
  readonly rateLimitWindows: number;
  readonly refreshTokens: number;
}

/**
 * Deletes what no check needs any more, so the tables stay small: rate-limit windows that ended
 * more than a day ago, and refresh tokens expired more than a day ago (spent and revoked ones
 * are kept until then: reuse detection needs them while they could still be presented).
 * Neither table is tenant-owned, so this runs without a tenant scope.
 */
export async function pruneAuthTables(ds: DataSource): Promise<HousekeepingResult> {
  const windows = await ds.query<[unknown[], number]>("DELETE FROM rate_limit_hit WHERE window_start < now() - interval '1 day'");
  const tokens = await ds.query<[unknown[], number]>("DELETE FROM refresh_token WHERE expires_at < now() - interval '1 day'");
  return { rateLimitWindows: windows[1], refreshTokens: tokens[1] };
}
