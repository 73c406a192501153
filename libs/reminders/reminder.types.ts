/** What a reminder mail is about; each kind is also a preference the recipient can turn off. */
export const NOTIFICATION_KINDS = ['due_soon', 'overdue', 'escalation', 'digest', 'review_rejected'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** `task_key` of a notification about no task (digests): a uuid, so it can be part of the unique key. */
export const NO_TASK = '00000000-0000-0000-0000-000000000000';

/** `skipped`: no longer true when its turn came (task closed, preference turned off, ...). */
export const NOTIFICATION_STATUSES = ['queued', 'sent', 'failed', 'skipped'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** The kinds the 15-minute sweep writes; digests have their own (hourly) schedule. */
export const SWEEP_KINDS: readonly NotificationKind[] = ['review_rejected', 'escalation', 'overdue', 'due_soon'];
export const DIGEST_KINDS: readonly NotificationKind[] = ['digest'];

export const isNotificationKind = (s: string): s is NotificationKind => (NOTIFICATION_KINDS as readonly string[]).includes(s);

/** One notification to deliver. */
export interface MailItem {
  readonly tenantId: string;
  readonly notificationId: string;
}

/**
 * The payload of one mail-send job (a chunk of the sweep's notifications, a requeue, or one
 * retry): only how many mails it names, for whoever looks at the queue. The mails themselves are
 * the queued rows carrying the job's id (`reminder_job_mails`), so the sweep writes 400 small
 * jobs for 10,000 mails instead of 10,000 ids in JSON (bench:reminders). Jobs written before,
 * which listed `items`, are read the same way: their rows carry their id too.
 */
export interface MailJobData {
  readonly mails: number;
}
