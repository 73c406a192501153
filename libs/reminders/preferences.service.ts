import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NothingToChangeError, type UserContext } from '../core';
import { TenantDb } from '../db';
import { isTimeZone } from '../tasks';
import type { NotificationKind } from './reminder.types';
import { InvalidUnsubscribeTokenError, UnknownTimeZoneError } from './reminders.errors';
import type { NotificationPreferencesView, PreferencesChange, UnsubscribeResult } from './reminders.views';
import { UnsubscribeTokens } from './unsubscribe-token';

interface PreferenceRow {
  due_soon: boolean;
  overdue: boolean;
  digest: boolean;
  escalation: boolean;
  review_rejected: boolean;
  timezone: string | null;
  updated_at: Date;
}

const COLUMNS: Readonly<Record<keyof PreferencesChange, string>> = {
  dueSoon: 'due_soon',
  overdue: 'overdue',
  digest: 'digest',
  escalation: 'escalation',
  reviewRejected: 'review_rejected',
  timezone: 'timezone',
};

const DEFAULTS: NotificationPreferencesView = {
  dueSoon: true,
  overdue: true,
  digest: true,
  escalation: true,
  reviewRejected: true,
  timezone: null,
  updatedAt: null,
};

function viewOf(row: PreferenceRow | undefined): NotificationPreferencesView {
  if (!row) return { ...DEFAULTS };
  return {
    dueSoon: row.due_soon,
    overdue: row.overdue,
    digest: row.digest,
    escalation: row.escalation,
    reviewRejected: row.review_rejected,
    timezone: row.timezone,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Each user's own mail preferences (not tenant-owned: they apply in every tenant). */
@Injectable()
export class PreferencesService {
  constructor(
    private readonly db: TenantDb,
    @Inject(UnsubscribeTokens) private readonly tokens: UnsubscribeTokens,
  ) {}

  get(user: UserContext): Promise<NotificationPreferencesView> {
    return this.db.run({ tenantId: null, userId: user.userId }, async () => viewOf(await this.row(this.db.em, user.userId)));
  }

  /** Changes the fields given; the others keep their values. */
  async update(user: UserContext, change: PreferencesChange): Promise<NotificationPreferencesView> {
    const fields = (Object.keys(COLUMNS) as (keyof PreferencesChange)[]).filter((k) => change[k] !== undefined);
    if (fields.length === 0) throw new NothingToChangeError(Object.keys(COLUMNS));
    return this.db.run({ tenantId: null, userId: user.userId }, async () => {
      const em = this.db.em;
      const timezone = change.timezone;
      // The sweep computes local times in Postgres: a zone it does not know would break it.
      if (typeof timezone === 'string' && !(isTimeZone(timezone) && (await this.postgresKnows(em, timezone))))
        throw new UnknownTimeZoneError(timezone);
      return viewOf(
        await this.upsert(
          em,
          user.userId,
          fields.map((f) => [COLUMNS[f], change[f] ?? null] as const),
        ),
      );
    });
  }

  /** One-click unsubscribe (RFC 8058): turns the token's kind off for its user. Idempotent. */
  async unsubscribe(token: string): Promise<UnsubscribeResult> {
    const claim = this.tokens.verify(token);
    if (!claim) throw new InvalidUnsubscribeTokenError();
    await this.db.run({ tenantId: null, userId: claim.userId }, async () => {
      const em = this.db.em;
      const [user] = await em.query<{ id: string }[]>('SELECT user_id AS id FROM user_contacts() WHERE user_id = $1', [claim.userId]);
      // A signed token for an account that is gone: nothing left to turn off.
      if (user) await this.upsert(em, claim.userId, [[claim.kind, false]]);
    });
    return { kind: claim.kind, enabled: false };
  }

  /** Which kind a token turns off, without changing anything (the confirmation page). */
  peek(token: string): NotificationKind {
    const claim = this.tokens.verify(token);
    if (!claim) throw new InvalidUnsubscribeTokenError();
    return claim.kind;
  }

  private async row(em: EntityManager, userId: string): Promise<PreferenceRow | undefined> {
    const [row] = await em.query<PreferenceRow[]>(
      'SELECT due_soon, overdue, digest, escalation, review_rejected, timezone, updated_at FROM notification_preference WHERE user_id = $1',
      [userId],
    );
    return row;
  }

  private async upsert(
    em: EntityManager,
    userId: string,
    values: readonly (readonly [string, boolean | string | null])[],
  ): Promise<PreferenceRow | undefined> {
    const columns = values.map(([c]) => c);
    const [row] = await em.query<PreferenceRow[]>(
      `INSERT INTO notification_preference (user_id, ${columns.join(', ')}) VALUES ($1, ${columns.map((_c, i) => `$${i + 2}`).join(', ')})
       ON CONFLICT (user_id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()
       RETURNING due_soon, overdue, digest, escalation, review_rejected, timezone, updated_at`,
      [userId, ...values.map(([, v]) => v)],
    );
    return row;
  }

  private async postgresKnows(em: EntityManager, timezone: string): Promise<boolean> {
    const [row] = await em.query<{ known: boolean }[]>('SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known', [
      timezone,
    ]);
    return row?.known === true;
  }
}
