import { Injectable } from '@nestjs/common';
import { ForbiddenRoleError, isUuid, type Role, type TenantContext } from '../core';
import { canTransition, type TaskStatus } from './task-status';
import { TaskRepository } from './task.repository';
import { TaskClosedError, TaskNotFoundError } from './tasks.errors';

/**
 * The hooks the evidence lib calls inside its unit of work (TenantDb.run, scoped to ctx's tenant):
 * libs/evidence never writes the task table itself. Adding evidence is the `add_evidence` action
 * of the status machine.
 */
@Injectable()
export class TaskEvidenceHooks {
  constructor(private readonly tasks: TaskRepository) {}

  /**
   * Locks the task row and checks it still takes evidence. TASK_NOT_FOUND for another tenant's or
   * a missing task; TASK_CLOSED once approved, not applicable or withdrawn.
   */
  async lockForEvidence(ctx: TenantContext, taskId: string): Promise<{ id: string; status: TaskStatus }> {
    if (!isUuid(taskId)) throw new TaskNotFoundError();
    const task = await this.tasks.lock(ctx.tenantId, taskId);
    if (!task) throw new TaskNotFoundError();
    const check = canTransition(task.status, 'add_evidence', ctx.role);
    if (!check.ok) {
      if (check.refusal === 'forbidden')
        throw new ForbiddenRoleError(
          ctx.role,
          check.allowed.filter((r): r is Role => r !== 'system'),
          'add evidence',
        );
      throw new TaskClosedError(task.status);
    }
    return { id: task.id, status: task.status };
  }

  /** After the evidence row is inserted: counts it on the task, and the status follows the machine. */
  async evidenceAdded(ctx: TenantContext, taskId: string): Promise<void> {
    const task = await this.lockForEvidence(ctx, taskId);
    const check = canTransition(task.status, 'add_evidence', ctx.role);
    await this.tasks.noteEvidence(ctx.tenantId, taskId, check.ok ? check.to : task.status);
  }

  /** TASK_NOT_FOUND unless the task is in the tenant (reads of a task's evidence). */
  async assertExists(ctx: TenantContext, taskId: string): Promise<void> {
    if (!isUuid(taskId) || !(await this.tasks.exists(ctx.tenantId, taskId))) throw new TaskNotFoundError();
  }
}
