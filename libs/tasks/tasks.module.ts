import { Module } from '@nestjs/common';
import { CatalogUpgradeService } from './catalog-upgrade.service';
import { OccurrencesService } from './occurrences';
import { SubscriptionRepository } from './subscription.repository';
import { SubscriptionsService } from './subscriptions.service';
import { TaskEvidenceHooks } from './task-evidence';
import { TaskRepository } from './task.repository';
import { TasksService } from './tasks.service';

/** The repositories of the lib's two aggregates (task, subscription). */
@Module({ providers: [TaskRepository, SubscriptionRepository], exports: [TaskRepository, SubscriptionRepository] })
class TaskStoreModule {}

/** The occurrence roll-over alone, for the worker (it needs no member directory). */
@Module({ imports: [TaskStoreModule], providers: [OccurrencesService], exports: [OccurrencesService] })
export class OccurrencesModule {}

/**
 * Subscriptions, tasks and the evidence hooks. The app provides MEMBER_ROLES (member-roles.ts) and
 * TENANT_TIME_ZONES (tenant-time-zones.ts), as it provides DOMAIN_EVENT_SINK.
 */
@Module({
  imports: [TaskStoreModule, OccurrencesModule],
  providers: [SubscriptionsService, TasksService, TaskEvidenceHooks, CatalogUpgradeService],
  exports: [SubscriptionsService, TasksService, TaskEvidenceHooks, CatalogUpgradeService, TaskStoreModule, OccurrencesModule],
})
export class TasksModule {}
