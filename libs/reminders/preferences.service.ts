import { Inject, Injectable } from '@nestjs/common';
import { NothingToChangeError, type UserContext } from '../core';
import { TenantDb } from '../db';
import {
  NotificationPreferenceRepository,
  preferenceColumnOf,
  type PreferenceColumn,
  type PreferenceRow,
} from './notification-preference.repository';
import type { NotificationKind } from './reminder.types';
import { InvalidUnsubscribeTokenError, UnknownTimeZoneError } from './reminders.errors';
import type { NotificationPreferencesView, PreferencesChange, UnsubscribeResult } from './reminders.views';
import { UnsubscribeTokens } from './unsubscribe-token';

const COLUMNS: Readonly<Record<keyof PreferencesChange, PreferenceColumn>> = {
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
    private readonly preferences: NotificationPreferenceRepository,
    @Inject(UnsubscribeTokens) private readonly tokens: UnsubscribeTokens,
  ) {}

  get(user: UserContext): Promise<NotificationPreferencesView> {
    return this.db.run({ tenantId: null, userId: user.userId }, async () => viewOf(await this.preferences.find(user.userId)));
  }

  /** Changes the fields given; the others keep their values. */
  async update(user: UserContext, change: PreferencesChange): Promise<NotificationPreferencesView> {
    const fields = (Object.keys(COLUMNS) as (keyof PreferencesChange)[]).filter((k) => change[k] !== undefined);
    if (fields.length === 0) throw new NothingToChangeError(Object.keys(COLUMNS));
    return this.db.run({ tenantId: null, userId: user.userId }, async () => {
      const timezone = change.timezone;
      if (typeof timezone === 'string' && !(await this.preferences.knowsTimeZone(timezone))) throw new UnknownTimeZoneError(timezone);
      return viewOf(
        await this.preferences.upsert(
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
      // A signed token for an account that is gone: nothing left to turn off.
      if (await this.preferences.userExists(claim.userId))
        await this.preferences.upsert(claim.userId, [[preferenceColumnOf(claim.kind), false]]);
    });
    return { kind: claim.kind, enabled: false };
  }

  /** Which kind a token turns off, without changing anything (the confirmation page). */
  peek(token: string): NotificationKind {
    const claim = this.tokens.verify(token);
    if (!claim) throw new InvalidUnsubscribeTokenError();
    return claim.kind;
  }
}
