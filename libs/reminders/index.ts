export { RemindersModule } from './reminders.module';
export { ReminderJobs } from './reminder-jobs';
export { PreferencesService } from './preferences.service';
export { NotificationsService, type NotificationFilter } from './notifications.service';
export { notificationCountsByStatus } from './notification-counts';
export { ReminderSettingsService, type ReminderSettingsChange } from './reminder-settings.service';
export { sweepReminders, REMINDER_SELECTION_SQL, type SweepOptions, type SweepResult } from './sweep';
export { ReminderSender, type DeliveryOutcome, type SenderSettings } from './sender';
export { UnsubscribeTokens } from './unsubscribe-token';
export {
  composeReminder,
  messageIdOf,
  taskUrl,
  unsubscribeUrl,
  DIGEST_LIST_MAX,
  type ReminderContent,
  type ReminderEnvelope,
} from './compose';
export { nextAttemptAt, GIVE_UP_AFTER_MS } from './retry';
export * from './reminder.types';
export * from './reminders.errors';
export type {
  NotificationPage,
  NotificationPreferencesView,
  NotificationView,
  PreferencesChange,
  ReminderSettingsView,
  UnsubscribeResult,
} from './reminders.views';
export { NotificationEntity } from './notification.entity';
export { NotificationPreferenceEntity } from './notification-preference.entity';
export { CatalogUpdateMailEntity } from './catalog-update-mail.entity';
export { CatalogUpdateMails, type CatalogUpdateResult } from './catalog-update-mails';
import { NotificationEntity } from './notification.entity';
import { NotificationPreferenceEntity } from './notification-preference.entity';
import { CatalogUpdateMailEntity } from './catalog-update-mail.entity';
/** The tables libs/reminders owns. */
export const REMINDERS_ENTITIES = [NotificationEntity, NotificationPreferenceEntity, CatalogUpdateMailEntity];
