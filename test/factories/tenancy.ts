import type { Role } from '../../libs/core';
import { query } from '../harness/database';

/**
 * Tenancy rows built behind the api's back, as the database superuser (`adminUrl`): the state a
 * test needs without going through sign-up (an argon2 hash each) or waiting for a clock. One place
 * for the SQL, so a column change touches one file.
 */

let counter = 0;
const freshEmail = (prefix: string): string => `${prefix}-f${process.pid}-${Date.now().toString(36)}-${++counter}@example.test`;

/** An account that cannot log in (its password hash is not a hash). */
export async function insertUser(adminUrl: string, fields: { email?: string; name?: string } = {}): Promise<{ id: string; email: string }> {
  const email = fields.email ?? freshEmail('user');
  const [row] = await query<{ id: string }>(
    adminUrl,
    "INSERT INTO app_user (email, name, password_hash) VALUES ($1, $2, 'unused') RETURNING id",
    [email, fields.name ?? 'Test User'],
  );
  if (!row) throw new Error('insertUser: no row');
  return { id: row.id, email };
}

/** Gives an existing account a role in a tenant (expiring at `expiresAt`, null: never). */
export async function addMembership(
  adminUrl: string,
  tenantId: string,
  userId: string,
  role: Role,
  expiresAt: Date | null = null,
): Promise<void> {
  await query(adminUrl, 'INSERT INTO membership (tenant_id, user_id, role, expires_at) VALUES ($1, $2, $3, $4)', [
    tenantId,
    userId,
    role,
    expiresAt,
  ]);
}

/** Puts a membership back to `role` without expiry, whatever a previous test did to it (or adds it). */
export async function resetMembership(adminUrl: string, tenantId: string, userId: string, role: Role): Promise<void> {
  await query(
    adminUrl,
    `INSERT INTO membership (tenant_id, user_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = $3, expires_at = NULL
     WHERE membership.role <> $3 OR membership.expires_at IS NOT NULL`,
    [tenantId, userId, role],
  );
}

/** A new account that is a member of the tenant. */
export async function insertMember(adminUrl: string, tenantId: string, role: Role, expiresAt: Date | null = null): Promise<string> {
  const user = await insertUser(adminUrl, { email: freshEmail(role), name: 'Member' });
  await addMembership(adminUrl, tenantId, user.id, role, expiresAt);
  return user.id;
}

/** A rate-limit window that started `ageSeconds` ago. */
export async function insertRateLimitWindow(
  adminUrl: string,
  window: { bucket: string; key: string; ageSeconds: number; hits: number; windowSeconds?: number },
): Promise<void> {
  await query(
    adminUrl,
    `INSERT INTO rate_limit_hit (bucket, key, window_start, hits, window_seconds, last_hit_at)
     VALUES ($1, $2, now() - make_interval(secs => $3), $4, $5, now() - make_interval(secs => $3))`,
    [window.bucket, window.key, window.ageSeconds, window.hits, window.windowSeconds ?? 3600],
  );
}

/** A refresh token of a new family; hours are relative to now (negative: in the past). */
export async function insertRefreshToken(
  adminUrl: string,
  token: { userId: string; tokenHash: string; expiresInHours: number; usedHoursAgo?: number },
): Promise<void> {
  await query(
    adminUrl,
    `INSERT INTO refresh_token (user_id, family_id, token_hash, expires_at, used_at)
     VALUES ($1, gen_random_uuid(), $2, now() + make_interval(hours => $3), CASE WHEN $4::int IS NULL THEN NULL ELSE now() - make_interval(hours => $4::int) END)`,
    [token.userId, token.tokenHash, token.expiresInHours, token.usedHoursAgo ?? null],
  );
}

/** A tenant created by `createdBy` (no membership: add one with addMembership when needed). */
export async function insertTenant(adminUrl: string, createdBy: string, name = 'Factory Org'): Promise<string> {
  return insertTenantWithId(adminUrl, null, createdBy, name);
}

/** insertTenant with a fixed id (tests that name the tenant in SQL they run as other roles); null: a new one. */
export async function insertTenantWithId(adminUrl: string, id: string | null, createdBy: string, name = 'Factory Org'): Promise<string> {
  const [row] = await query<{ id: string }>(
    adminUrl,
    'INSERT INTO tenant (id, name, created_by) VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3) RETURNING id',
    [id, name, createdBy],
  );
  if (!row) throw new Error('insertTenant: no row');
  return row.id;
}

/** Moves an account's password reset links back in time: `minutes` older, expiry included (aging a link past its hour). */
export async function agePasswordResetLinks(adminUrl: string, userId: string, minutes: number): Promise<void> {
  await query(
    adminUrl,
    `UPDATE password_reset_token
        SET created_at = created_at - make_interval(mins => $2), expires_at = expires_at - make_interval(mins => $2)
      WHERE user_id = $1`,
    [userId, minutes],
  );
}

/** Puts `hits` into the current fixed window of (bucket, key), as the rate-limit service aligns it: a limit already reached. */
export async function fillRateLimitWindow(
  adminUrl: string,
  window: { bucket: string; key: string; hits: number; windowSeconds: number },
): Promise<void> {
  await query(
    adminUrl,
    `INSERT INTO rate_limit_hit (bucket, key, window_start, hits, window_seconds, last_hit_at)
     VALUES ($1, $2, to_timestamp(floor(extract(epoch FROM now()) / $4::int) * $4::int), $3, $4::int, now())
     ON CONFLICT (bucket, key, window_start) DO UPDATE SET hits = EXCLUDED.hits, last_hit_at = now()`,
    [window.bucket, window.key, window.hits, window.windowSeconds],
  );
}

/** A password reset link expiring `expiresInHours` from now (negative: in the past), used or not. */
export async function insertPasswordResetLink(
  adminUrl: string,
  link: { userId: string; tokenHash: string; expiresInHours: number; used: boolean },
): Promise<void> {
  await query(
    adminUrl,
    `INSERT INTO password_reset_token (user_id, token_hash, created_at, expires_at, used_at)
     VALUES ($1, $2, now() + make_interval(hours => $3) - interval '1 hour', now() + make_interval(hours => $3), CASE WHEN $4 THEN now() ELSE NULL END)`,
    [link.userId, link.tokenHash, link.expiresInHours, link.used],
  );
}
