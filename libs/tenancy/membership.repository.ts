import { Injectable } from '@nestjs/common';
import type { Role } from '../core';
import { keysetClause, keysetPage, TenantDb, updateReturning, type Keyset } from '../db';
import type { MembershipEntity } from './membership.entity';
import type { TenantEntity } from './tenant.entity';
import { TENANCY_QUERIES } from './tenant.repository';
import type { UserEntity } from './user.entity';

/**
 * The one "active membership" rule: a membership counts while it has no end or its end is still
 * ahead (`at`, an SQL expression, defaults to now()). Everything that asks "is this person in the
 * tenant" goes through this repository; the only other copy is app_member_role() (migration
 * MemberRole), the hot path of every tenant route.
 */
function active(alias: string, at = 'now()'): string {
  return `(${alias}.expires_at IS NULL OR ${alias}.expires_at > ${at})`;
}

/** Read model of the members list: a membership with its user. */
export type MemberRecord = Pick<MembershipEntity, 'userId' | 'role' | 'expiresAt' | 'createdAt'> & Pick<UserEntity, 'email' | 'name'>;
/** Read model of GET /me: a membership with its tenant's name. */
export type MembershipRecord = Pick<MembershipEntity, 'tenantId' | 'role' | 'expiresAt'> & { tenantName: TenantEntity['name'] };
/** A membership row locked for a change, and whether it is active. */
export type LockedMembership = Pick<MembershipEntity, 'userId' | 'role' | 'expiresAt'> & { active: boolean };

const MEMBERS: Keyset<MemberRecord> = {
  columns: ['u.email', 'm.user_id'],
  parts: ['string', 'uuid'],
  casts: ['text', 'uuid'],
  keyOf: (r) => [r.email, r.userId],
};

const MEMBER_COLUMNS = 'm.user_id AS "userId", u.email, u.name, m.role, m.expires_at AS "expiresAt", m.created_at AS "createdAt"';

/**
 * Memberships. Tenant-scoped by row-level security (a user scope also shows the user's own):
 * call these inside TenantDb.run, as the tenant they are about.
 */
@Injectable()
export class MembershipRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * The caller's active role, or null, in one round trip outside any unit of work: the SQL
   * function sets the scope for its own statement (see migration MemberRole).
   */
  async resolveRole(tenantId: string, userId: string): Promise<Role | null> {
    const [row] = await this.db.em.query<{ role: Role | null }[]>(TENANCY_QUERIES.memberRole, [tenantId, userId]);
    return row?.role ?? null;
  }

  /** The user's role in the tenant if their membership is active at `at` (default now), else null. */
  async activeRole(tenantId: string, userId: string, at?: Date): Promise<Role | null> {
    const [row] = await this.db.em.query<Pick<MembershipEntity, 'role'>[]>(
      `SELECT m.role FROM membership m WHERE m.tenant_id = $1 AND m.user_id = $2 AND ${active('m', '$3')}`,
      [tenantId, userId, (at ?? new Date()).toISOString()],
    );
    return row?.role ?? null;
  }

  /** The tenant's active members (optionally only these roles), by email. */
  async activeMembers(tenantId: string, options: { roles?: readonly Role[]; at?: Date } = {}): Promise<MemberRecord[]> {
    return this.db.em.query<MemberRecord[]>(
      `SELECT ${MEMBER_COLUMNS} FROM membership m JOIN app_user u ON u.id = m.user_id
        WHERE m.tenant_id = $1 AND ${active('m', '$2')} AND ($3::text[] IS NULL OR m.role = ANY ($3::text[]))
        ORDER BY u.email, m.user_id`,
      [tenantId, (options.at ?? new Date()).toISOString(), options.roles ? [...options.roles] : null],
    );
  }

  /** One page of the tenant's active members, by email. */
  async page(tenantId: string, cursor: string | undefined, limit: number): Promise<{ items: MemberRecord[]; nextCursor: string | null }> {
    const params: unknown[] = [tenantId];
    const page = keysetClause(MEMBERS, cursor, limit, params);
    const rows = await this.db.em.query<MemberRecord[]>(
      `SELECT ${MEMBER_COLUMNS} FROM membership m JOIN app_user u ON u.id = m.user_id
        WHERE m.tenant_id = $1 AND ${active('m')}${page.where ? ` AND ${page.where}` : ''}
        ORDER BY ${page.orderBy} LIMIT ${page.limit}`,
      params,
    );
    return keysetPage(MEMBERS, rows, limit);
  }

  /** The user's active memberships with tenant names (a unit of work scoped to the user alone). */
  async activeMembershipsOf(userId: string): Promise<MembershipRecord[]> {
    return this.db.em.query<MembershipRecord[]>(
      `SELECT m.tenant_id AS "tenantId", t.name AS "tenantName", m.role, m.expires_at AS "expiresAt"
         FROM membership m JOIN tenant t ON t.id = m.tenant_id
        WHERE m.user_id = $1 AND ${active('m')}
        ORDER BY t.name, t.id`,
      [userId],
    );
  }

  async isActiveMemberByEmail(tenantId: string, email: string): Promise<boolean> {
    const rows = await this.db.em.query<unknown[]>(
      `SELECT 1 FROM membership m JOIN app_user u ON u.id = m.user_id WHERE m.tenant_id = $1 AND u.email = $2 AND ${active('m')}`,
      [tenantId, email],
    );
    return rows.length > 0;
  }

  async add(tenantId: string, userId: string, role: Role): Promise<void> {
    await this.db.em.query('INSERT INTO membership (tenant_id, user_id, role) VALUES ($1, $2, $3)', [tenantId, userId, role]);
  }

  /**
   * Joins from an invitation; an active membership stands as it is, an expired one is renewed.
   * Returns the role the user has afterwards.
   */
  async join(tenantId: string, userId: string, role: Role, expiresAt: Date | null): Promise<Role> {
    const [row] = await this.db.em.query<Pick<MembershipEntity, 'role'>[]>(
      `WITH up AS (
         INSERT INTO membership (tenant_id, user_id, role, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = EXCLUDED.role, expires_at = EXCLUDED.expires_at, updated_at = now()
         WHERE NOT ${active('membership')}
         RETURNING role)
       SELECT role FROM up UNION ALL SELECT role FROM membership WHERE tenant_id = $1 AND user_id = $2 AND NOT EXISTS (SELECT 1 FROM up)`,
      [tenantId, userId, role, expiresAt],
    );
    return row?.role ?? role;
  }

  /**
   * Locks the member's row and every admin row of the tenant in one ordered statement, so two
   * admins demoting or removing each other at once are serialised (no deadlock) and the second
   * one sees it would leave no admin.
   */
  async lockForChange(tenantId: string, userId: string): Promise<LockedMembership[]> {
    return this.db.em.query<LockedMembership[]>(
      `SELECT m.user_id AS "userId", m.role, m.expires_at AS "expiresAt", ${active('m')} AS active
         FROM membership m
        WHERE m.tenant_id = $1 AND (m.role = 'admin' OR m.user_id = $2)
        ORDER BY m.user_id FOR UPDATE`,
      [tenantId, userId],
    );
  }

  /** `expiresAt` undefined keeps it, null clears it. */
  async update(tenantId: string, userId: string, change: { role?: Role; expiresAt?: Date | null }): Promise<MemberRecord | null> {
    const [row] = await updateReturning<MemberRecord>(
      this.db.em,
      `UPDATE membership m SET role = coalesce($3, m.role),
              expires_at = CASE WHEN $4 THEN $5::timestamptz ELSE m.expires_at END, updated_at = now()
         FROM app_user u
        WHERE m.tenant_id = $1 AND m.user_id = $2 AND u.id = m.user_id
        RETURNING ${MEMBER_COLUMNS}`,
      [tenantId, userId, change.role ?? null, change.expiresAt !== undefined, change.expiresAt ?? null],
    );
    return row ?? null;
  }

  async remove(tenantId: string, userId: string): Promise<void> {
    await this.db.em.query('DELETE FROM membership WHERE tenant_id = $1 AND user_id = $2', [tenantId, userId]);
  }

  /** Every membership of a tenant being deleted; answers how many there were. */
  async removeAll(tenantId: string): Promise<number> {
    const [, count] = await this.db.em.query<[unknown[], number]>('DELETE FROM membership WHERE tenant_id = $1', [tenantId]);
    return count;
  }
}
