import { Injectable } from '@nestjs/common';
import { TenantDb, updateReturning } from '../db';
import type { TenantEntity } from './tenant.entity';

export type TenantRecord = Pick<TenantEntity, 'id' | 'name' | 'createdAt'>;
/** A tenant's reminder settings and time zone (read and changed by libs/reminders). */
export type ReminderSettings = Pick<TenantEntity, 'reminderDays' | 'escalationDays' | 'timeZone'>;

const SETTINGS_COLUMNS = 'reminder_days AS "reminderDays", escalation_days AS "escalationDays", time_zone AS "timeZone"';

/** Statements of the tenant-route hot path, also run by the auth benchmark's raw baseline. */
export const TENANCY_QUERIES = {
  /** $1 tenant, $2 user: the caller's active role, scope set for this statement (migration MemberRole). */
  memberRole: 'SELECT app_member_role($1, $2) AS role',
  /** $1 tenant (inside a transaction scoped to it). */
  tenantById: 'SELECT id, name, created_at AS "createdAt" FROM tenant WHERE id = $1',
} as const;

/**
 * Tenants. Row-level security shows a unit of work its own tenant (and, by user scope, the
 * tenants its user belongs to): call these inside TenantDb.run.
 */
@Injectable()
export class TenantRepository {
  constructor(private readonly db: TenantDb) {}

  async insert(tenant: { id: string; name: string; createdBy: string }): Promise<TenantRecord> {
    const [row] = await this.db.em.query<TenantRecord[]>(
      'INSERT INTO tenant (id, name, created_by) VALUES ($1, $2, $3) RETURNING id, name, created_at AS "createdAt"',
      [tenant.id, tenant.name, tenant.createdBy],
    );
    if (!row) throw new Error('tenant insert returned no row');
    return row;
  }

  async findById(tenantId: string): Promise<TenantRecord | null> {
    const [row] = await this.db.em.query<TenantRecord[]>(TENANCY_QUERIES.tenantById, [tenantId]);
    return row ?? null;
  }

  /** The tenant's name, locked until the unit of work ends; null when it is not visible or deleted. */
  async lockName(tenantId: string): Promise<string | null> {
    const [row] = await this.db.em.query<Pick<TenantEntity, 'name'>[]>(
      'SELECT name FROM tenant WHERE id = $1 AND deleted_at IS NULL FOR UPDATE',
      [tenantId],
    );
    return row?.name ?? null;
  }

  async rename(tenantId: string, name: string): Promise<TenantRecord | null> {
    const [row] = await updateReturning<TenantRecord>(
      this.db.em,
      'UPDATE tenant SET name = $2 WHERE id = $1 RETURNING id, name, created_at AS "createdAt"',
      [tenantId, name],
    );
    return row ?? null;
  }

  /** Marks the tenant deleted (the tombstone keeps its audit chain's tenant until `retentionDays` from now). */
  async tombstone(
    tenantId: string,
    userId: string,
    retentionDays: number,
  ): Promise<Pick<TenantEntity, 'deletedAt' | 'auditRetainedUntil'>> {
    const [row] = await updateReturning<Pick<TenantEntity, 'deletedAt' | 'auditRetainedUntil'>>(
      this.db.em,
      `UPDATE tenant SET deleted_at = now(), deleted_by = $2, audit_retained_until = now() + make_interval(days => $3)
        WHERE id = $1 AND deleted_at IS NULL RETURNING deleted_at AS "deletedAt", audit_retained_until AS "auditRetainedUntil"`,
      [tenantId, userId, retentionDays],
    );
    if (!row) throw new Error('tenant tombstone: no row');
    return row;
  }

  /** With `lock`, the row stays locked (FOR UPDATE) until the unit of work ends. */
  async reminderSettings(tenantId: string, options: { lock?: boolean } = {}): Promise<ReminderSettings | null> {
    const [row] = await this.db.em.query<ReminderSettings[]>(
      `SELECT ${SETTINGS_COLUMNS} FROM tenant WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [tenantId],
    );
    return row ?? null;
  }

  /** Changes what is given, keeps the rest; null when the tenant is not visible. */
  async updateReminderSettings(tenantId: string, change: Partial<ReminderSettings>): Promise<ReminderSettings | null> {
    const [row] = await updateReturning<ReminderSettings>(
      this.db.em,
      `UPDATE tenant SET reminder_days = coalesce($2::int[], reminder_days), escalation_days = coalesce($3::int, escalation_days),
                         time_zone = coalesce($4::text, time_zone)
        WHERE id = $1 RETURNING ${SETTINGS_COLUMNS}`,
      [tenantId, change.reminderDays ?? null, change.escalationDays ?? null, change.timeZone ?? null],
    );
    return row ?? null;
  }

  /**
   * The tenant's time zone; null when the tenant is not visible. With `share`, the row stays locked
   * FOR SHARE until the unit of work ends: a change of the zone (which locks it FOR UPDATE, then
   * realigns the subscriptions) waits for the caller's new subscription, and realigns it too.
   */
  async timeZone(tenantId: string, options: { share?: boolean } = {}): Promise<string | null> {
    const [row] = await this.db.em.query<Pick<TenantEntity, 'timeZone'>[]>(
      `SELECT time_zone AS "timeZone" FROM tenant WHERE id = $1${options.share ? ' FOR SHARE' : ''}`,
      [tenantId],
    );
    return row?.timeZone ?? null;
  }
}
