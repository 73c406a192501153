import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Distribution-ready keys (docs/scaling.md#citus): every tenant-owned table carries `tenant_id` in
 * its primary key, in each of its unique constraints, and in every foreign key to another
 * tenant-owned table. Citus, distributing by `tenant_id`, enforces keys per shard and requires
 * exactly that; with it, distributing the schema needs no schema change.
 *
 * - Primary keys become `(tenant_id, id)` (`occurrence_schedule`: `(tenant_id, subscription_id)`),
 *   keeping their names. Every query names its tenant (`tenant_id = $1 AND id = $2`): the whole key.
 * - The `(tenant_id, id)` unique keys that existed only as targets of composite foreign keys
 *   (`subscription_tenant_id_unique`, `task_tenant_id_unique`) are now the primary keys: dropped.
 * - Foreign keys between tenant-owned tables that named `id` alone become composite:
 *   `review_task_fk`, `task_event_task_fk`, `occurrence_schedule_subscription_fk`.
 * - `evidence_storage_key_unique` and `invitation_token_unique` gain `tenant_id`: storage keys
 *   and token hashes are random (a collision across tenants is not a case to guard), and the
 *   accept link names its tenant, so acceptance reads the token through (tenant_id, token_hash).
 *
 * Row-level security policies and grants do not change.
 */
export class DistributionKeys1764000700000 implements MigrationInterface {
  name = 'DistributionKeys1764000700000';

  async up(q: QueryRunner): Promise<void> {
    // Foreign keys that depend on the unique keys being replaced go first.
    await q.query('ALTER TABLE evidence DROP CONSTRAINT evidence_task_fk');
    await q.query('ALTER TABLE review DROP CONSTRAINT review_task_id_fkey');
    await q.query('ALTER TABLE task_event DROP CONSTRAINT task_event_task_id_fkey');
    await q.query('ALTER TABLE task DROP CONSTRAINT task_subscription_fk');
    await q.query('ALTER TABLE occurrence_schedule DROP CONSTRAINT occurrence_schedule_subscription_id_fkey');

    await q.query(`ALTER TABLE subscription DROP CONSTRAINT subscription_pkey, DROP CONSTRAINT subscription_tenant_id_unique,
      ADD CONSTRAINT subscription_pkey PRIMARY KEY (tenant_id, id)`);
    await q.query('DROP INDEX task_tenant_id_unique');
    for (const table of ['task', 'review', 'task_event', 'evidence', 'invitation', 'notification']) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey, ADD CONSTRAINT ${table}_pkey PRIMARY KEY (tenant_id, id)`);
    }
    await q.query(`ALTER TABLE occurrence_schedule DROP CONSTRAINT occurrence_schedule_pkey,
      ADD CONSTRAINT occurrence_schedule_pkey PRIMARY KEY (tenant_id, subscription_id)`);

    await q.query(`ALTER TABLE task ADD CONSTRAINT task_subscription_fk
      FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscription (tenant_id, id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE occurrence_schedule ADD CONSTRAINT occurrence_schedule_subscription_fk
      FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscription (tenant_id, id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE review ADD CONSTRAINT review_task_fk
      FOREIGN KEY (tenant_id, task_id) REFERENCES task (tenant_id, id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE task_event ADD CONSTRAINT task_event_task_fk
      FOREIGN KEY (tenant_id, task_id) REFERENCES task (tenant_id, id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE evidence ADD CONSTRAINT evidence_task_fk
      FOREIGN KEY (tenant_id, task_id) REFERENCES task (tenant_id, id)`);

    await q.query(`ALTER TABLE evidence DROP CONSTRAINT evidence_storage_key_unique,
      ADD CONSTRAINT evidence_storage_key_unique UNIQUE (tenant_id, storage_key)`);
    await q.query(`ALTER TABLE invitation DROP CONSTRAINT invitation_token_unique,
      ADD CONSTRAINT invitation_token_unique UNIQUE (tenant_id, token_hash)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE invitation DROP CONSTRAINT invitation_token_unique, ADD CONSTRAINT invitation_token_unique UNIQUE (token_hash)',
    );
    await q.query(
      'ALTER TABLE evidence DROP CONSTRAINT evidence_storage_key_unique, ADD CONSTRAINT evidence_storage_key_unique UNIQUE (storage_key)',
    );

    await q.query('ALTER TABLE evidence DROP CONSTRAINT evidence_task_fk');
    await q.query('ALTER TABLE task_event DROP CONSTRAINT task_event_task_fk');
    await q.query('ALTER TABLE review DROP CONSTRAINT review_task_fk');
    await q.query('ALTER TABLE occurrence_schedule DROP CONSTRAINT occurrence_schedule_subscription_fk');
    await q.query('ALTER TABLE task DROP CONSTRAINT task_subscription_fk');

    await q.query(
      'ALTER TABLE occurrence_schedule DROP CONSTRAINT occurrence_schedule_pkey, ADD CONSTRAINT occurrence_schedule_pkey PRIMARY KEY (subscription_id)',
    );
    for (const table of ['notification', 'invitation', 'evidence', 'task_event', 'review', 'task']) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey, ADD CONSTRAINT ${table}_pkey PRIMARY KEY (id)`);
    }
    await q.query('CREATE UNIQUE INDEX task_tenant_id_unique ON task (tenant_id, id)');
    await q.query(`ALTER TABLE subscription DROP CONSTRAINT subscription_pkey, ADD CONSTRAINT subscription_pkey PRIMARY KEY (id),
      ADD CONSTRAINT subscription_tenant_id_unique UNIQUE (tenant_id, id)`);

    await q.query(`ALTER TABLE occurrence_schedule ADD CONSTRAINT occurrence_schedule_subscription_id_fkey
      FOREIGN KEY (subscription_id) REFERENCES subscription (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE task ADD CONSTRAINT task_subscription_fk
      FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscription (tenant_id, id) ON DELETE CASCADE`);
    await q.query(
      'ALTER TABLE task_event ADD CONSTRAINT task_event_task_id_fkey FOREIGN KEY (task_id) REFERENCES task (id) ON DELETE CASCADE',
    );
    await q.query('ALTER TABLE review ADD CONSTRAINT review_task_id_fkey FOREIGN KEY (task_id) REFERENCES task (id) ON DELETE CASCADE');
    await q.query('ALTER TABLE evidence ADD CONSTRAINT evidence_task_fk FOREIGN KEY (tenant_id, task_id) REFERENCES task (tenant_id, id)');
  }
}
