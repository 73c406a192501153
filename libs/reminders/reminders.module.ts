import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../core';
import { TasksModule } from '../tasks';
import { jwtSecret, TenancyModule } from '../tenancy';
import { NotificationPreferenceRepository } from './notification-preference.repository';
import { NotificationRepository } from './notification.repository';
import { NotificationsService } from './notifications.service';
import { PreferencesService } from './preferences.service';
import { ReminderSettingsService } from './reminder-settings.service';
import { UnsubscribeTokens } from './unsubscribe-token';

/**
 * The api side of reminders: preferences, unsubscribe, the mail log, tenant settings (whose time
 * zone realigns the subscriptions through libs/tasks).
 */
@Module({
  imports: [TenancyModule, TasksModule],
  providers: [
    { provide: UnsubscribeTokens, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new UnsubscribeTokens(jwtSecret(config)) },
    NotificationRepository,
    NotificationPreferenceRepository,
    PreferencesService,
    NotificationsService,
    ReminderSettingsService,
  ],
  exports: [PreferencesService, NotificationsService, ReminderSettingsService, UnsubscribeTokens],
})
export class RemindersModule {}
