import type { QueueDefinition } from '../../libs/db';
import { INVITATION_MAIL_QUEUE, PASSWORD_RESET_MAIL_QUEUE } from '../../libs/tenancy';
import { EVIDENCE_PACK_EXPIRY_QUEUE, EVIDENCE_PACK_QUEUE } from '../../libs/exports';
import { EVIDENCE_FILES_PURGE_QUEUE } from '../../libs/evidence';
import { CATALOG_PUBLISHED_QUEUE } from '../../libs/catalog';
import { CATALOG_UPGRADE_QUEUE } from '../../libs/tasks';

/** Every queue of the product; created as the owner at migration time (queue creation is DDL). */
export const QUEUES = {
  rollover: { name: 'occurrences-rollover', retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 900, policy: 'singleton' },
  remindersSweep: { name: 'reminders-sweep', retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 900, policy: 'singleton' },
  remindersDigest: {
    name: 'reminders-digest',
    retryLimit: 3,
    retryDelay: 60,
    retryBackoff: true,
    expireInSeconds: 900,
    policy: 'singleton',
  },
  housekeeping: { name: 'housekeeping', retryLimit: 3, retryDelay: 300, retryBackoff: true, expireInSeconds: 900, policy: 'singleton' },
  // Mail delivery. SMTP refusals are retried by libs/reminders itself (backoff, 24 hours, then
  // failed); pg-boss's retries cover handlers that crashed (database down, process killed).
  // A job whose worker died stays `active` until it expires, then is retried: 45 s is above the
  // longest send the mailer allows (10 s connect + 10 s greeting + 20 s idle socket), and with the
  // supervisor's 15 s sweep and a 5 s first retry, delivery resumes about a minute after a kill.
  mailSend: { name: 'mail-send', retryLimit: 12, retryDelay: 5, retryBackoff: true, expireInSeconds: 45 },
  // Invitation mails, queued with the invitation (libs/tenancy/invitation-mail.ts). An SMTP outage
  // or a temporary refusal fails the job; pg-boss retries it with backoff from 30 s, for about
  // 17 hours in all (the link lives 7 days). A permanent refusal is logged and not retried.
  invitationMail: { name: INVITATION_MAIL_QUEUE, retryLimit: 10, retryDelay: 30, retryBackoff: true, expireInSeconds: 120 },
  // Password reset mails (libs/tenancy/password-reset-mail.ts): the link lives one hour, so
  // retries from 10 s with backoff stop within it (10 s, 20 s, ... about 42 minutes for 8).
  passwordResetMail: { name: PASSWORD_RESET_MAIL_QUEUE, retryLimit: 8, retryDelay: 10, retryBackoff: true, expireInSeconds: 120 },
  // A pack records its own failure (state failed, with the reason) and is not retried by its
  // handler; pg-boss retries only a handler that crashed or a worker that died mid-build.
  evidencePack: { name: EVIDENCE_PACK_QUEUE, retryLimit: 2, retryDelay: 60, retryBackoff: true, expireInSeconds: 4 * 3600 },
  // A deleted tenant's files (libs/evidence/evidence-purge.ts), queued by the deleting transaction.
  // Idempotent; an unreachable store fails the job and pg-boss retries it for about a day.
  evidenceFilesPurge: { name: EVIDENCE_FILES_PURGE_QUEUE, retryLimit: 12, retryDelay: 60, retryBackoff: true, expireInSeconds: 3600 },
  evidencePackExpiry: { name: EVIDENCE_PACK_EXPIRY_QUEUE, retryLimit: 3, retryDelay: 60, expireInSeconds: 900, policy: 'singleton' },
  // A newly stored catalog version: mails the admins of tenants on an older one (libs/reminders
  // CatalogUpdateMails). Each mail commits on its own, so a retry sends only what is left.
  catalogPublished: { name: CATALOG_PUBLISHED_QUEUE, retryLimit: 10, retryDelay: 30, retryBackoff: true, expireInSeconds: 3600 },
  // Upgrades of subscriptions to a newer catalog version, a batch of subscriptions per job, each
  // subscription in its own unit of work (libs/tasks CatalogUpgradeService.apply; idempotent).
  catalogUpgrade: { name: CATALOG_UPGRADE_QUEUE, retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 900 },
} as const satisfies Record<string, QueueDefinition>;

/** Daily, at a quiet hour (UTC): pruning of rate-limit windows and expired refresh tokens. */
export const HOUSEKEEPING_CRON = '17 3 * * *';

/** Hourly: packs past EVIDENCE_PACK_TTL_HOURS lose their file. */
export const EVIDENCE_PACK_EXPIRY_CRON = '41 * * * *';

export const ALL_QUEUES: QueueDefinition[] = Object.values(QUEUES);
