import { Inject, Injectable } from '@nestjs/common';
import { DOMAIN_EVENT_SINK, NothingToChangeError, type DomainEventSink, type TenantContext } from '../core';
import { TenantDb } from '../db';
import { TenantNotFoundError, TenantRepository } from '../tenancy';
import type { ReminderSettingsView } from './reminders.views';

export type ReminderSettingsChange = Partial<ReminderSettingsView>;

/**
 * When a tenant's people are reminded: due-soon offsets and the escalation threshold. The values
 * live on `tenant` (libs/tenancy), which reads and writes them for us (docs/reminders.md).
 */
@Injectable()
export class ReminderSettingsService {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
  ) {}

  get(ctx: TenantContext): Promise<ReminderSettingsView> {
    return this.db.run(ctx, async () => {
      const settings = await this.tenants.reminderSettings(ctx.tenantId);
      if (!settings) throw new TenantNotFoundError();
      return { ...settings };
    });
  }

  /** Offsets are kept distinct and largest first; the change is recorded in the audit trail. */
  update(ctx: TenantContext, change: ReminderSettingsChange): Promise<ReminderSettingsView> {
    if (change.reminderDays === undefined && change.escalationDays === undefined)
      throw new NothingToChangeError(['reminderDays', 'escalationDays']);
    const reminderDays = change.reminderDays === undefined ? undefined : [...new Set(change.reminderDays)].sort((a, b) => b - a);
    return this.db.run(ctx, async () => {
      const before = await this.tenants.reminderSettings(ctx.tenantId, { lock: true });
      const after = await this.tenants.updateReminderSettings(ctx.tenantId, {
        ...(reminderDays ? { reminderDays } : {}),
        ...(change.escalationDays !== undefined ? { escalationDays: change.escalationDays } : {}),
      });
      if (!before || !after) throw new TenantNotFoundError();
      await this.events.publish(this.db.em, {
        action: 'tenant.reminder_settings_changed',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'tenant', id: ctx.tenantId },
        data: { from: { ...before }, to: { ...after } },
        requestId: ctx.requestId,
      });
      return { ...after };
    });
  }
}
