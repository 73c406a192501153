import type { NotificationKind, NotificationStatus } from './reminder.types';

export interface NotificationPreferencesView {
  dueSoon: boolean;
  overdue: boolean;
  digest: boolean;
  escalation: boolean;
  reviewRejected: boolean;
  /** IANA name; null: the tenant's (`tenant.time_zone`). */
  timezone: string | null;
  /** Null while the defaults were never changed. */
  updatedAt: string | null;
}

export type PreferencesChange = Partial<Omit<NotificationPreferencesView, 'updatedAt'>>;

export interface NotificationView {
  id: string;
  recipientId: string;
  /** Null when the account no longer exists. */
  recipientEmail: string | null;
  taskId: string | null;
  kind: NotificationKind;
  window: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  failedAt: string | null;
}

export interface NotificationPage {
  items: NotificationView[];
  nextCursor: string | null;
}

export interface ReminderSettingsView {
  /** Days before the due date a due-soon mail goes out, largest first. */
  reminderDays: number[];
  /** Days overdue after which the tenant's admins are told. */
  escalationDays: number;
  /** The tenant's time zone (IANA): "today" for its duties; every subscription follows it. */
  timeZone: string;
}

export interface UnsubscribeResult {
  kind: NotificationKind;
  enabled: false;
}
