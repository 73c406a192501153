import type { QueueDefinition } from '../../libs/db';

/** Every queue of the product; created as the owner at migration time (queue creation is DDL). */
export const QUEUES = {
  rollover: { name: 'occurrences-rollover', retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 900, policy: 'singleton' },
  remindersSweep: { name: 'reminders-sweep', retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 900, policy: 'singleton' },
  // Mail delivery: retried with backoff for about a day (see libs/notify), then failed.
  mailSend: { name: 'mail-send', retryLimit: 12, retryDelay: 60, retryBackoff: true, expireInSeconds: 300 },
} as const satisfies Record<string, QueueDefinition>;

export const ALL_QUEUES: QueueDefinition[] = Object.values(QUEUES);
