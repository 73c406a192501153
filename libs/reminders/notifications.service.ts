import { Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor, type TenantContext } from '../core';
import { TenantDb } from '../db';
import type { NotificationKind, NotificationStatus } from './reminder.types';
import type { NotificationPage, NotificationView } from './reminders.views';

export interface NotificationFilter {
  readonly status?: NotificationStatus;
  readonly kind?: NotificationKind;
  readonly limit: number;
  readonly cursor?: string;
}

interface Row {
  id: string;
  recipient_id: string;
  recipient_email: string | null;
  task_id: string | null;
  kind: NotificationKind;
  window: string;
  status: NotificationStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  /** created_at to the microsecond, for the cursor (a JS Date keeps milliseconds only). */
  created_key: string;
  sent_at: Date | null;
  failed_at: Date | null;
}

const isoOrNull = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

/** The tenant's mail log, for its admins: what went out, what is pending, what failed and why. */
@Injectable()
export class NotificationsService {
  constructor(private readonly db: TenantDb) {}

  list(ctx: TenantContext, filter: NotificationFilter): Promise<NotificationPage> {
    const params: unknown[] = [ctx.tenantId];
    const where = ['n.tenant_id = $1'];
    if (filter.status) where.push(`n.status = $${params.push(filter.status)}`);
    if (filter.kind) where.push(`n.kind = $${params.push(filter.kind)}`);
    if (filter.cursor) {
      const [createdAt, id] = decodeCursor(filter.cursor, ['string', 'uuid']) as [string, string];
      where.push(`(n.created_at, n.id) < ($${params.push(createdAt)}::timestamptz, $${params.push(id)}::uuid)`);
    }
    return this.db.run(ctx, async () => {
      const rows = await this.db.em.query<Row[]>(
        `SELECT n.id, n.recipient_id, u.email AS recipient_email, n.task_id, n.kind, n."window" AS window, n.status, n.attempts, n.last_error,
                n.created_at, to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key, n.sent_at, n.failed_at
           FROM notification n LEFT JOIN user_contacts() u ON u.user_id = n.recipient_id
          WHERE ${where.join(' AND ')}
          ORDER BY n.created_at DESC, n.id DESC
          LIMIT $${params.push(filter.limit + 1)}`,
        params,
      );
      const page = rows.slice(0, filter.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((r): NotificationView => ({
          id: r.id,
          recipientId: r.recipient_id,
          recipientEmail: r.recipient_email,
          taskId: r.task_id,
          kind: r.kind,
          window: r.window,
          status: r.status,
          attempts: r.attempts,
          lastError: r.last_error,
          createdAt: new Date(r.created_at).toISOString(),
          sentAt: isoOrNull(r.sent_at),
          failedAt: isoOrNull(r.failed_at),
        })),
        nextCursor: rows.length > filter.limit && last ? encodeCursor([last.created_key, last.id]) : null,
      };
    });
  }
}
