import type { EntityManager } from 'typeorm';
import { isUuid, type TenantContext } from '../core';
import { TaskClosedError, TaskNotFoundError } from './tasks.errors';

export type TaskStatus = 'todo' | 'in_progress' | 'done' | 'approved' | 'rejected' | 'not_applicable';

/**
 * For the evidence lib, inside its transaction (scoped to ctx's tenant by inScope): locks the
 * task row and checks it still takes evidence. TASK_NOT_FOUND for another tenant's or a missing
 * task; TASK_CLOSED once approved or not applicable.
 */
export async function lockTaskForEvidence(
  em: EntityManager,
  ctx: TenantContext,
  taskId: string,
): Promise<{ id: string; status: TaskStatus }> {
  if (!isUuid(taskId)) throw new TaskNotFoundError();
  const [row] = await em.query<{ id: string; status: TaskStatus }[]>(
    'SELECT id, status FROM task WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
    [ctx.tenantId, taskId],
  );
  if (!row) throw new TaskNotFoundError();
  if (row.status === 'approved' || row.status === 'not_applicable') throw new TaskClosedError(row.status);
  return row;
}

/**
 * Same transaction, after the evidence row is inserted: counts it on the task, and a task not
 * started yet moves to in_progress.
 */
export async function noteEvidenceAdded(em: EntityManager, ctx: TenantContext, taskId: string): Promise<void> {
  await em.query(
    `UPDATE task SET evidence_count = evidence_count + 1, last_evidence_at = clock_timestamp(), updated_at = now(),
            status = CASE WHEN status = 'todo' THEN 'in_progress' ELSE status END
      WHERE tenant_id = $1 AND id = $2`,
    [ctx.tenantId, taskId],
  );
}
