import { Module } from '@nestjs/common';
import { SubscriptionsService } from './subscriptions.service';
import { TasksService } from './tasks.service';

@Module({ providers: [SubscriptionsService, TasksService], exports: [SubscriptionsService, TasksService] })
export class TasksModule {}
