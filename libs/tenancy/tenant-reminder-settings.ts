import type { EntityManager } from 'typeorm';
import { updateReturning } from '../db';

/**
 * A tenant's reminder settings, kept on `tenant` (reminder_days, escalation_days; owned here) and
 * read and changed by libs/reminders through these two functions (docs/reminders.md). They work on
 * the caller's unit of work (`em`), so the change and its audit record commit together. Null when
 * the tenant is not visible in the caller's scope.
 */
export interface TenantReminderSettings {
  readonly reminderDays: number[];
  readonly escalationDays: number;
}

interface Row {
  reminder_days: number[];
  escalation_days: number;
}

const settingsOf = (row: Row | undefined): TenantReminderSettings | null =>
  row ? { reminderDays: row.reminder_days, escalationDays: row.escalation_days } : null;

export async function readTenantReminderSettings(
  em: EntityManager,
  tenantId: string,
  options: { forUpdate?: boolean } = {},
): Promise<TenantReminderSettings | null> {
  const [row] = await em.query<Row[]>(
    `SELECT reminder_days, escalation_days FROM tenant WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [tenantId],
  );
  return settingsOf(row);
}

/** Sets what is given (reminder days as given: the caller orders them), keeps the rest. */
export async function writeTenantReminderSettings(
  em: EntityManager,
  tenantId: string,
  change: { reminderDays?: readonly number[]; escalationDays?: number },
): Promise<TenantReminderSettings | null> {
  const [row] = await updateReturning<Row>(
    em,
    `UPDATE tenant SET reminder_days = coalesce($2::int[], reminder_days), escalation_days = coalesce($3::int, escalation_days)
      WHERE id = $1 RETURNING reminder_days, escalation_days`,
    [tenantId, change.reminderDays ?? null, change.escalationDays ?? null],
  );
  return settingsOf(row);
}
