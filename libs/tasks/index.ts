export { TasksModule } from './tasks.module';
export { SubscriptionsService, firstTask, type SubscribeInput } from './subscriptions.service';
export {
  TasksService,
  taskListQuery,
  taskPage,
  toTaskView,
  type TaskRow,
  OPEN_STATUSES,
  type TaskFilter,
  type TaskChange,
} from './tasks.service';
export { openStartedPeriods, openAllStartedPeriods, type OpenResult } from './occurrences';
export { lockTaskForEvidence, noteEvidenceAdded, type TaskStatus } from './task-evidence';
export { addDays, addMonths, isIsoDate, isTimeZone, occurrence, todayIn, type IsoDate, type Occurrence } from './schedule';
export * from './tasks.errors';
export type { ProviderCommitmentView, ReviewView, SubscriptionView, TaskEventView, TaskView } from './tasks.views';
export { SubscriptionEntity, OccurrenceScheduleEntity } from './subscription.entity';
export { TaskEntity, ReviewEntity, TaskEventEntity, REVIEW_DECISIONS, type ReviewDecision } from './task.entity';
import { OccurrenceScheduleEntity, SubscriptionEntity } from './subscription.entity';
import { ReviewEntity, TaskEntity, TaskEventEntity } from './task.entity';
export const TASKS_ENTITIES = [SubscriptionEntity, OccurrenceScheduleEntity, TaskEntity, ReviewEntity, TaskEventEntity];
