import { Inject, Injectable } from '@nestjs/common';
import { DOMAIN_EVENT_SINK, NothingToChangeError, type DomainEventSink, type TenantContext } from '../core';
import { TenantDb } from '../db';
import { SubscriptionsService } from '../tasks';
import { TenantNotFoundError, TenantRepository } from '../tenancy';
import { NotificationPreferenceRepository } from './notification-preference.repository';
import { UnknownTimeZoneError } from './reminders.errors';
import type { ReminderSettingsView } from './reminders.views';

export type ReminderSettingsChange = Partial<ReminderSettingsView>;

const FIELDS = ['reminderDays', 'escalationDays', 'timeZone'] as const;

/**
 * When a tenant's people are reminded: due-soon offsets and the escalation threshold; and the
 * tenant's time zone, which decides "today" for its duties. The values live on `tenant`
 * (libs/tenancy), which reads and writes them for us; the subscriptions' zones are libs/tasks'
 * (docs/reminders.md, docs/tenancy-admin.md).
 */
@Injectable()
export class ReminderSettingsService {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly subscriptions: SubscriptionsService,
    private readonly zones: NotificationPreferenceRepository,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
  ) {}

  get(ctx: TenantContext): Promise<ReminderSettingsView> {
    return this.db.run(ctx, async () => {
      const settings = await this.tenants.reminderSettings(ctx.tenantId);
      if (!settings) throw new TenantNotFoundError();
      return { ...settings };
    });
  }

  /**
   * Offsets are kept distinct and largest first. A time zone must be one Node and Postgres both
   * know (the sweep and the summary compute local dates in Postgres); giving one sets it on every
   * subscription of the tenant too, in the same unit of work (the tenant row stays locked until
   * it commits, and a new subscription reads the zone under a share lock, so none is missed). The
   * change is recorded in the audit trail.
   */
  update(ctx: TenantContext, change: ReminderSettingsChange): Promise<ReminderSettingsView> {
    if (FIELDS.every((f) => change[f] === undefined)) throw new NothingToChangeError([...FIELDS]);
    const reminderDays = change.reminderDays === undefined ? undefined : [...new Set(change.reminderDays)].sort((a, b) => b - a);
    const timeZone = change.timeZone;
    return this.db.run(ctx, async () => {
      if (timeZone !== undefined && !(await this.zones.knowsTimeZone(timeZone))) throw new UnknownTimeZoneError(timeZone, 'timeZone');
      const before = await this.tenants.reminderSettings(ctx.tenantId, { lock: true });
      const after = await this.tenants.updateReminderSettings(ctx.tenantId, {
        ...(reminderDays ? { reminderDays } : {}),
        ...(change.escalationDays !== undefined ? { escalationDays: change.escalationDays } : {}),
        ...(timeZone !== undefined ? { timeZone } : {}),
      });
      if (!before || !after) throw new TenantNotFoundError();
      const realigned = timeZone === undefined ? null : await this.subscriptions.alignTimeZones(ctx, after.timeZone);
      await this.events.publish(this.db.em, {
        action: 'tenant.reminder_settings_changed',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'tenant', id: ctx.tenantId },
        data: { from: { ...before }, to: { ...after }, ...(realigned === null ? {} : { subscriptionsRealigned: realigned }) },
        requestId: ctx.requestId,
      });
      return { ...after };
    });
  }
}
