import { Module } from '@nestjs/common';
import { RemindersModule } from '../../../libs/reminders';
import { NotificationPreferencesController, TenantNotificationsController, UnsubscribeController } from './notifications.controller';
import { OneClickFormParser } from './one-click-form';

/** Reminder preferences, one-click unsubscribe, the tenant's mail log and reminder settings. */
@Module({
  imports: [RemindersModule],
  controllers: [NotificationPreferencesController, UnsubscribeController, TenantNotificationsController],
  providers: [OneClickFormParser],
})
export class NotificationsApiModule {}
