import type { Phase, RaciMap } from '../catalog';
import type { TaskStatus } from './task-status';
import type { CatalogChange } from './task.entity';

export interface SubscriptionView {
  id: string;
  catalogKey: string;
  catalogVersion: string;
  phase: Phase;
  startsOn: string;
  timezone: string;
  phaseStartedOn: Partial<Record<Phase, string>>;
  createdAt: string;
  updatedAt: string;
  /** When an admin ended it (its open tasks were withdrawn); null while it runs. */
  endedAt: string | null;
}

export interface TaskView {
  id: string;
  subscriptionId: string;
  activityKey: string;
  title: string;
  section: string;
  phase: Phase;
  cadence: string | null;
  optional: boolean;
  raci: RaciMap;
  status: TaskStatus;
  dueDate: string | null;
  periodStart: string;
  periodEnd: string | null;
  overdue: boolean;
  assigneeId: string | null;
  notApplicableReason: string | null;
  evidenceCount: number;
  completedAt: string | null;
  completedBy: string | null;
  createdAt: string;
  updatedAt: string;
  /** What the last catalog upgrade changed in this task's duty (before/after), null when nothing. */
  catalogChange: CatalogChange | null;
}

export interface ReviewView {
  id: string;
  reviewerId: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  createdAt: string;
}

export interface TaskEventView {
  id: string;
  occurredOn: string;
  description: string;
  createdBy: string;
  createdAt: string;
}

export interface ProviderCommitmentView {
  activityKey: string;
  title: string;
  section: string;
  phase: Phase;
  raci: RaciMap;
  raw: string;
  certain: boolean;
  note: string | null;
}

/** Counts of a group of tasks. `total` leaves withdrawn tasks out; they are counted apart. */
export interface SummaryCounts {
  total: number;
  /** todo + in_progress + rejected. */
  open: number;
  overdue: number;
  todo: number;
  inProgress: number;
  /** done: completed, waiting for a review. */
  awaitingReview: number;
  approved: number;
  rejected: number;
  notApplicable: number;
  withdrawn: number;
}

/** A task as the summary's short lists show it. */
export interface SummaryTaskView {
  id: string;
  activityKey: string;
  title: string;
  section: string;
  phase: Phase;
  status: TaskStatus;
  dueDate: string | null;
  overdue: boolean;
  assigneeId: string | null;
}

export interface SummaryDueView {
  count: number;
  /** The first few, soonest first. */
  tasks: SummaryTaskView[];
}

export interface SummaryRejectedView {
  count: number;
  /** The latest rejected first, with the rejection's comment. */
  tasks: { task: SummaryTaskView; comment: string | null; rejectedAt: string | null; reviewerId: string | null }[];
}

export interface SummaryWeekView {
  /** Monday of the week, in the tenant's time zone. */
  weekStart: string;
  /** Tasks whose last completion fell in the week. */
  completed: number;
  /** Approvals given in the week. */
  approved: number;
  /** Rejections given in the week. */
  rejected: number;
}

/** The dashboard's summary of a tenant (GET /tenants/:tenantId/summary). */
export interface TaskSummaryView {
  timezone: string;
  today: string;
  totals: SummaryCounts;
  byPhase: { phase: Phase; counts: SummaryCounts }[];
  bySection: { section: string; counts: SummaryCounts }[];
  dueIn7Days: SummaryDueView;
  dueIn30Days: SummaryDueView;
  rejected: SummaryRejectedView;
  weeks: SummaryWeekView[];
}

/** A task waiting for the caller's review, in any tenant where the caller may review. */
export interface ReviewQueueItemView {
  tenantId: string;
  tenantName: string;
  taskId: string;
  activityKey: string;
  title: string;
  section: string;
  phase: Phase;
  dueDate: string | null;
  completedAt: string;
  completedBy: string | null;
  evidenceCount: number;
}

export { iso, isoOrNull } from '../core';
