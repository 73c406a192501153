import PgBoss from 'pg-boss';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import type { Logger } from '../core';

/** pg-boss lives in its own schema of the product's database. */
export const JOB_SCHEMA = 'pgboss';

// pg-boss's own queue for cron schedules: created here, as the owner, like ours.
const PGBOSS_SEND_IT = '__pgboss__send-it';

export interface QueueDefinition {
  readonly name: string;
  readonly retryLimit?: number;
  readonly retryDelay?: number;
  readonly retryBackoff?: boolean;
  readonly expireInSeconds?: number;
  readonly policy?: 'standard' | 'short' | 'singleton' | 'stately';
}

/**
 * Installs or upgrades pg-boss's schema and creates the queues, as the owner role: queue
 * creation is DDL (one table partition per queue), which the app role may not do. The app role
 * then gets the rights to use them (DML only).
 */
export async function installJobQueue(
  ownerUrl: string,
  appRole: string,
  queues: readonly QueueDefinition[],
  logger: Logger,
): Promise<void> {
  const boss = new PgBoss({
    connectionString: ownerUrl,
    schema: JOB_SCHEMA,
    application_name: 'dutybook-migrate',
    max: 2,
    migrate: true,
    schedule: false,
    supervise: false,
  });
  boss.on('error', (error: Error) => logger.error({ err: error }, 'pg-boss (install) error'));
  await boss.start();
  try {
    for (const q of [{ name: PGBOSS_SEND_IT }, ...queues]) {
      const { name, ...options } = q;
      await boss.createQueue(name, { name, ...options });
      // createQueue leaves an existing queue as it was: bring its retry and expiry settings to
      // what the code declares, so a changed policy reaches installed databases too.
      await boss.updateQueue(name, { name, ...options });
    }
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const owner = (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u;
    if (owner === appRole) return;
    const app = client.escapeIdentifier(appRole);
    await client.query(`GRANT USAGE ON SCHEMA ${JOB_SCHEMA} TO ${app}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${JOB_SCHEMA} TO ${app}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${JOB_SCHEMA} TO ${app}`);
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${JOB_SCHEMA} TO ${app}`);
  } finally {
    await client.end();
  }
}

/** A pg-boss client as the app role: no schema changes, optional schedules and maintenance. */
export function createJobQueue(
  appUrl: string,
  options: { applicationName: string; schedule: boolean; supervise: boolean; poolSize?: number },
  logger: Logger,
): PgBoss {
  const boss = new PgBoss({
    connectionString: appUrl,
    schema: JOB_SCHEMA,
    application_name: options.applicationName,
    max: options.poolSize ?? 4,
    migrate: false,
    schedule: options.schedule,
    supervise: options.supervise,
    // How often the supervisor expires the jobs of dead workers (default 120 s): it bounds how
    // long a job killed mid-run waits before it is retried (see the mail queue in queues.ts).
    maintenanceIntervalSeconds: 15,
  });
  boss.on('error', (error: Error) => {
    // 57P01: Postgres ended the connection itself (a shutdown or a failover). pg-boss reconnects;
    // it is worth a warning, not an error line (a clean stop under load can still meet it when
    // Postgres stops while a pooled connection of pg-boss is idle).
    if ((error as { code?: unknown }).code === '57P01') logger.warn({ err: error }, 'pg-boss: the database closed a connection');
    else logger.error({ err: error }, 'pg-boss error');
  });
  return boss;
}

/** Lets pg-boss write a job inside our transaction: the job exists if and only if it commits. */
export function inTransaction(em: EntityManager): PgBoss.Db {
  return {
    executeSql: async (text: string, values: unknown[]) => ({ rows: await em.query<Record<string, unknown>[]>(text, values) }),
  };
}

export { PgBoss };

/**
 * pg-boss as a job writer only: it never opens a connection of its own (its `db` refuses), every
 * job goes through the caller's transaction. So the api can queue work without a pg-boss pool.
 */
const jobWriter = new PgBoss({
  schema: JOB_SCHEMA,
  db: { executeSql: () => Promise.reject(new Error('queueJob writes only through the caller’s transaction')) },
});

/** What a job started by a request carries in its data: the worker logs it on every line of the job. */
export interface TracedJobData {
  readonly requestId?: string;
}

/** The request id a job's data carries, if a request queued it. */
export function jobRequestId(data: unknown): string | undefined {
  const value = typeof data === 'object' && data !== null ? (data as TracedJobData).requestId : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Queues one job inside the caller's transaction (`em` of a TenantDb unit of work): the job
 * exists if and only if that transaction commits, so a rolled-back change queues nothing and
 * the work (a mail) happens after commit, in the worker. The queue's retry settings apply.
 * `requestId`, the id of the request that queues it, goes into the job's data as `requestId`.
 */
export async function queueJob(
  em: EntityManager,
  queue: string,
  data: object,
  options: { startAfter?: Date; requestId?: string | null } = {},
): Promise<string> {
  const { requestId, ...sendOptions } = options;
  const traced = requestId ? { ...data, requestId } : data;
  const id = await jobWriter.send(queue, traced, { ...sendOptions, db: inTransaction(em) });
  // pg-boss inserts nothing (and says null) for a queue that was never created.
  if (id === null) throw new Error(`job queue ${queue} does not exist: is it listed in apps/worker/queues.ts?`);
  return id;
}
