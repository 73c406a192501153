/** SMTP refusals and outages are retried for this long after the notification was written. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;
const FIRST_DELAY_MS = 60 * 1000;
const MAX_DELAY_MS = 60 * 60 * 1000;

/**
 * When to try again after the `attempts`-th temporary failure (1-based): 1, 2, 4, ... minutes,
 * then hourly, and a last try exactly 24 hours after the notification was written. Null once
 * that last try has failed too: the notification is then marked failed.
 */
export function nextAttemptAt(createdAt: Date, attempts: number, now: Date): Date | null {
  const deadline = createdAt.getTime() + GIVE_UP_AFTER_MS;
  if (now.getTime() >= deadline) return null;
  const delay = Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, Math.min(attempts - 1, 20)), MAX_DELAY_MS);
  return new Date(Math.min(now.getTime() + delay, deadline));
}
