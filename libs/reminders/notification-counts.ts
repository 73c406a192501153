import type { DataSource } from 'typeorm';
import { NOTIFICATION_STATUSES, type NotificationStatus } from './reminder.types';

/**
 * The mail log by status across tenants, for the metrics scrape (apps/runtime/metrics.ts), through
 * the definer function reminders_notification_counts (libs/reminders/sql): counts only. Every
 * status is present (0 when none), so a series does not vanish when its last row changes status.
 */
export async function notificationCountsByStatus(db: Pick<DataSource, 'query'>): Promise<Record<NotificationStatus, number>> {
  const rows = await db.query<{ status: string; n: string }[]>('SELECT status, n FROM reminders_notification_counts()');
  const counts = Object.fromEntries(NOTIFICATION_STATUSES.map((s) => [s, 0])) as Record<NotificationStatus, number>;
  for (const r of rows)
    if ((NOTIFICATION_STATUSES as readonly string[]).includes(r.status)) counts[r.status as NotificationStatus] = Number(r.n);
  return counts;
}
