export { TasksModule, OccurrencesModule } from './tasks.module';
export { SubscriptionsService, firstTask, type SubscribeInput } from './subscriptions.service';
export { TasksService, type TaskChange, type TaskDetail, type TaskListFilter } from './tasks.service';
export {
  CatalogUpgradeService,
  type UpgradeScope,
  type UpgradeResult,
  type UpgradeAddedDuty,
  type UpgradeWithdrawnDuty,
  type UpgradeChangedDuty,
  type UpgradeSummary,
} from './catalog-upgrade.service';
export { TaskRepository, taskListQuery, taskPage, toTaskView, type TaskCard, type TaskFilter, type NewTask } from './task.repository';
export { SubscriptionRepository } from './subscription.repository';
export { OccurrencesService, type OpenResult } from './occurrences';
export { TaskEvidenceHooks } from './task-evidence';
export { MEMBER_ROLES, type MemberRoles } from './member-roles';
export { TENANT_TIME_ZONES, type TenantTimeZones } from './tenant-time-zones';
export {
  TASK_STATUSES,
  OPEN_STATUSES,
  TASK_ACTIONS,
  TASK_TRANSITIONS,
  PATCHABLE_STATUSES,
  canTransition,
  isOpen,
  openStatusSql,
  sqlStatusList,
  type TaskStatus,
  type OpenStatus,
  type TaskAction,
  type PatchableStatus,
  type Transition,
  type TransitionCheck,
  type TransitionFacts,
  type Actor,
} from './task-status';
export { addDays, addMonths, isIsoDate, isTimeZone, occurrence, todayIn, type IsoDate, type Occurrence } from './schedule';
export * from './tasks.errors';
export type {
  ProviderCommitmentView,
  ReviewQueueItemView,
  ReviewView,
  SubscriptionView,
  SummaryCounts,
  SummaryDueView,
  SummaryRejectedView,
  SummaryTaskView,
  SummaryWeekView,
  TaskEventView,
  TaskSummaryView,
  TaskView,
} from './tasks.views';
export { summaryQuery, toSummaryView, SUMMARY_LIST_SIZE, SUMMARY_WEEKS, type SummaryRow } from './task-summary';
export { SubscriptionEntity, OccurrenceScheduleEntity } from './subscription.entity';
export { TaskEntity, ReviewEntity, TaskEventEntity, REVIEW_DECISIONS, type ReviewDecision, type CatalogChange } from './task.entity';
import { OccurrenceScheduleEntity, SubscriptionEntity } from './subscription.entity';
import { ReviewEntity, TaskEntity, TaskEventEntity } from './task.entity';
export const TASKS_ENTITIES = [SubscriptionEntity, OccurrenceScheduleEntity, TaskEntity, ReviewEntity, TaskEventEntity];
export { TaskExportReader, type ExportTask, type ExportTaskCursor, type TaskExportFilter } from './task-export.reader';
export {
  CATALOG_UPGRADE_QUEUE,
  UPGRADES_PER_JOB,
  queueCatalogUpgrades,
  runCatalogUpgradeJob,
  type CatalogUpgradeJob,
  type CatalogUpgradeJobResult,
} from './catalog-upgrade-jobs';
