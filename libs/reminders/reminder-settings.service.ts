import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DOMAIN_EVENT_SINK, NothingToChangeError, type DomainEventSink, type TenantContext } from '../core';
import { inScope, updateReturning } from '../db';
import { TenantNotFoundError } from '../tenancy';
import type { ReminderSettingsView } from './reminders.views';

export type ReminderSettingsChange = Partial<ReminderSettingsView>;

interface Row {
  reminder_days: number[];
  escalation_days: number;
}

const viewOf = (row: Row): ReminderSettingsView => ({ reminderDays: row.reminder_days, escalationDays: row.escalation_days });

/** When a tenant's people are reminded: due-soon offsets and the escalation threshold. */
@Injectable()
export class ReminderSettingsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
  ) {}

  get(ctx: TenantContext): Promise<ReminderSettingsView> {
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => viewOf(await this.row(em, ctx.tenantId, false)));
  }

  /** Offsets are kept distinct and largest first; the change is recorded in the audit trail. */
  update(ctx: TenantContext, change: ReminderSettingsChange): Promise<ReminderSettingsView> {
    if (change.reminderDays === undefined && change.escalationDays === undefined)
      throw new NothingToChangeError(['reminderDays', 'escalationDays']);
    const reminderDays = change.reminderDays === undefined ? null : [...new Set(change.reminderDays)].sort((a, b) => b - a);
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const before = await this.row(em, ctx.tenantId, true);
      const [after] = await updateReturning<Row>(
        em,
        `UPDATE tenant SET reminder_days = coalesce($2::int[], reminder_days), escalation_days = coalesce($3::int, escalation_days)
          WHERE id = $1 RETURNING reminder_days, escalation_days`,
        [ctx.tenantId, reminderDays, change.escalationDays ?? null],
      );
      if (!after) throw new TenantNotFoundError();
      await this.events.publish(em, {
        action: 'tenant.reminder_settings_changed',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'tenant', id: ctx.tenantId },
        data: { from: viewOf(before), to: viewOf(after) },
        requestId: ctx.requestId,
      });
      return viewOf(after);
    });
  }

  private async row(em: EntityManager, tenantId: string, lock: boolean): Promise<Row> {
    const [row] = await em.query<Row[]>(`SELECT reminder_days, escalation_days FROM tenant WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [
      tenantId,
    ]);
    if (!row) throw new TenantNotFoundError();
    return row;
  }
}
