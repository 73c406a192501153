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

export { iso, isoOrNull } from '../core';
