import { Injectable } from '@nestjs/common';
import { TenantDb } from '../db';
import { isTimeZone } from '../tasks';
import type { NotificationKind } from './reminder.types';

/** The stored row (the one read model of notification_preference for hand-written SQL). */
export interface PreferenceRow {
  due_soon: boolean;
  overdue: boolean;
  digest: boolean;
  escalation: boolean;
  review_rejected: boolean;
  timezone: string | null;
  updated_at: Date;
}

/** The columns a change may set. */
export type PreferenceColumn = Exclude<keyof PreferenceRow, 'updated_at'>;

/** A kind's preference column (the kinds are named as their columns). */
export const preferenceColumnOf = (kind: NotificationKind): PreferenceColumn => kind;

const COLUMNS = 'due_soon, overdue, digest, escalation, review_rejected, timezone, updated_at';

/**
 * All SQL of notification_preference. Row-level security shows a user only their own row, so the
 * unit of work must be scoped to that user. Works on the current unit of work (`db.em`).
 */
@Injectable()
export class NotificationPreferenceRepository {
  constructor(private readonly db: TenantDb) {}

  async find(userId: string): Promise<PreferenceRow | undefined> {
    const [row] = await this.db.em.query<PreferenceRow[]>(`SELECT ${COLUMNS} FROM notification_preference WHERE user_id = $1`, [userId]);
    return row;
  }

  /** Sets the given columns (creating the row with defaults for the others); the rest keep their values. */
  async upsert(
    userId: string,
    values: readonly (readonly [PreferenceColumn, boolean | string | null])[],
  ): Promise<PreferenceRow | undefined> {
    const columns = values.map(([c]) => c);
    const [row] = await this.db.em.query<PreferenceRow[]>(
      `INSERT INTO notification_preference (user_id, ${columns.join(', ')}) VALUES ($1, ${columns.map((_c, i) => `$${i + 2}`).join(', ')})
       ON CONFLICT (user_id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()
       RETURNING ${COLUMNS}`,
      [userId, ...values.map(([, v]) => v)],
    );
    return row;
  }

  /** Whether the account exists (libs/tenancy's user_contacts()): a token may outlive its user. */
  async userExists(userId: string): Promise<boolean> {
    const [row] = await this.db.em.query<{ id: string }[]>('SELECT user_id AS id FROM user_contacts() WHERE user_id = $1', [userId]);
    return row !== undefined;
  }

  /**
   * Whether a time zone may be stored (a person's or the tenant's): an IANA name Node knows (the
   * mails and reports format dates with it) and Postgres knows (the sweep and the summary compute
   * local dates with it; a zone it does not know would break them).
   */
  async knowsTimeZone(timezone: string): Promise<boolean> {
    if (!isTimeZone(timezone)) return false;
    const [row] = await this.db.em.query<{ known: boolean }[]>('SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known', [
      timezone,
    ]);
    return row?.known === true;
  }
}
