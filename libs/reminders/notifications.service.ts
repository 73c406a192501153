import { Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor, type TenantContext } from '../core';
import { TenantDb } from '../db';
import { NotificationRepository, type LogRow } from './notification.repository';
import type { NotificationKind, NotificationStatus } from './reminder.types';
import type { NotificationPage, NotificationView } from './reminders.views';

export interface NotificationFilter {
  readonly status?: NotificationStatus;
  readonly kind?: NotificationKind;
  readonly limit: number;
  readonly cursor?: string;
}

const isoOrNull = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

const viewOf = (r: LogRow): NotificationView => ({
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
});

/**
 * The tenant's mail log, for its admins: what went out, what is pending, what failed and why.
 * Newest first, so its cursor is (created_at, id) going down; libs/db/keyset.ts pages upwards only.
 */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly db: TenantDb,
    private readonly notifications: NotificationRepository,
  ) {}

  /** Inside the deleting unit of work of a tombstoned tenant (docs/tenancy-admin.md). */
  purgeTenant(tenantId: string): Promise<number> {
    return this.notifications.purgeTenant(tenantId);
  }

  list(ctx: TenantContext, filter: NotificationFilter): Promise<NotificationPage> {
    const after = filter.cursor ? (decodeCursor(filter.cursor, ['string', 'uuid']) as [string, string]) : undefined;
    return this.db.run(ctx, async () => {
      const rows = await this.notifications.log(ctx.tenantId, {
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.kind ? { kind: filter.kind } : {}),
        ...(after ? { after } : {}),
        limit: filter.limit + 1,
      });
      const page = rows.slice(0, filter.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(viewOf),
        nextCursor: rows.length > filter.limit && last ? encodeCursor([last.created_key, last.id]) : null,
      };
    });
  }
}
