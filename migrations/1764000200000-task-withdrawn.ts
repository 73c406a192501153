import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `withdrawn` task status (libs/tasks/task-status.ts): set by a catalog upgrade when a duty
 * left the customer; terminal, not open, history and evidence kept. The CHECK lists exactly the
 * declared statuses (the entity builds it from TASK_STATUSES; a test compares the two). Written
 * out here, as a migration stays what it was when it ran.
 */
export class TaskWithdrawn1764000200000 implements MigrationInterface {
  name = 'TaskWithdrawn1764000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE task DROP CONSTRAINT task_status,
        ADD CONSTRAINT task_status CHECK (status IN ('todo', 'in_progress', 'done', 'approved', 'rejected', 'not_applicable', 'withdrawn'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE task DROP CONSTRAINT task_status,
        ADD CONSTRAINT task_status CHECK (status IN ('todo', 'in_progress', 'done', 'approved', 'rejected', 'not_applicable'))`);
  }
}
