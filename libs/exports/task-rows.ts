import type { TaskView } from '../tasks';
import type { Cell } from './writers/cells';

/** The columns of tasks.csv / tasks.xlsx: the task list's fields, plus the assignee's name. */
export const TASK_CSV_HEADER = [
  'id',
  'activityKey',
  'title',
  'section',
  'phase',
  'status',
  'dueDate',
  'periodStart',
  'periodEnd',
  'overdue',
  'assigneeId',
  'assigneeName',
  'evidenceCount',
  'customerRaci',
  'providerRaci',
  'completedAt',
  'updatedAt',
] as const;

export function taskCells(t: TaskView, assigneeName: string | null): Cell[] {
  return [
    t.id,
    t.activityKey,
    t.title,
    t.section,
    t.phase,
    t.status,
    t.dueDate,
    t.periodStart,
    t.periodEnd,
    t.overdue,
    t.assigneeId,
    assigneeName,
    t.evidenceCount,
    t.raci['customer'] ?? '',
    t.raci['provider'] ?? '',
    t.completedAt,
    t.updatedAt,
  ];
}
