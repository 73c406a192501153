import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/create-api';
import { QUEUES } from '../../apps/worker/queues';
import { loadConfig, type Logger, type Role } from '../../libs/core';
import { createJobQueue, TenantDb, type PgBoss } from '../../libs/db';
import { SWEEP_KINDS, sweepReminders, type NotificationKind, type SweepResult } from '../../libs/reminders';
import { bootTestApp, type TestApp } from '../harness/app';
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { createTestDatabase, query, quietLogger } from '../harness/database';

export const MAIL_QUEUE = QUEUES.mailSend.name;

export interface World {
  readonly t: TestApp;
  readonly ds: DataSource;
  /** The app's unit of work, for the sender and the jobs built by hand. */
  readonly db: TenantDb;
  /** Not started: it only writes jobs inside the sweep's transaction, as the CLI does. */
  readonly boss: PgBoss;
  readonly call: Caller;
  close(): Promise<void>;
}

export async function bootWorld(env: Record<string, string> = {}): Promise<World> {
  const t = await bootTestApp({ RATE_LIMIT_SIGNUP: '10000/1h', ...env });
  return worldOf(t);
}

function worldOf(t: TestApp): World {
  const ds = t.app.get(DataSource);
  const boss = createJobQueue(t.db.appUrl, { applicationName: 'test', schedule: false, supervise: false }, quietLogger());
  return { t, ds, db: t.app.get(TenantDb), boss, call: caller(t.app), close: () => t.close() };
}

/** Like bootWorld, with the worker's jobs running in the api process (`npm start`). */
export async function bootWorldWithWorker(env: Record<string, string>, logger: Logger): Promise<World> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-worker-'));
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', DATA_DIR: dataDir, RATE_LIMIT_SIGNUP: '10000/1h', ...env });
  const db = await createTestDatabase();
  const app = await createApi(config, db, logger, { withWorker: true });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return worldOf({
    app,
    db,
    config,
    async close() {
      await app.close();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export interface ReminderTenant {
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** Task ids by activity key (first occurrences), all with no due date, unassigned, todo. */
  readonly tasks: Record<string, string>;
}

let tenantCounter = 0;

/**
 * A tenant whose admin is `admin`, with members in the given roles and one subscription in
 * `timezone`. Every task starts with no due date (so no reminder) until a test gives it one.
 */
export async function reminderTenant(
  w: World,
  admin: Account,
  options: { timezone?: string; name?: string; members?: readonly (readonly [Account, Role])[] } = {},
): Promise<ReminderTenant> {
  const created = await w.call({
    method: 'POST',
    url: '/api/v1/tenants',
    token: admin.accessToken,
    payload: { name: options.name ?? `Reminder Org ${++tenantCounter}` },
  });
  if (created.statusCode !== 201) throw new Error(`tenant: ${created.statusCode} ${created.body}`);
  const tenantId = created.json<{ id: string }>().id;
  for (const [account, role] of options.members ?? []) await addMember(w.t.db.adminUrl, tenantId, account.userId, role);
  // The tenant's zone, as an admin sets it in Settings (a new tenant's is UTC); the subscription
  // below takes it.
  if (options.timezone !== undefined) {
    const zone = await w.call({
      method: 'PATCH',
      url: `/api/v1/tenants/${tenantId}/reminder-settings`,
      token: admin.accessToken,
      payload: { timeZone: options.timezone },
    });
    if (zone.statusCode !== 200) throw new Error(`time zone: ${zone.statusCode} ${zone.body}`);
  }
  const sub = await w.call({
    method: 'POST',
    url: `/api/v1/tenants/${tenantId}/subscriptions`,
    token: admin.accessToken,
    // The first reading (20 duties): the reminder tests name its keys (PX-03, PX-04 are duties there).
    payload: {
      catalogKey: 'ovhcloud-private-exchange',
      version: '2024-06-26',
      startsOn: '2026-01-01',
    },
  });
  if (sub.statusCode !== 201) throw new Error(`subscribe: ${sub.statusCode} ${sub.body}`);
  await query(w.t.db.adminUrl, "UPDATE task SET due_date = NULL, assignee_id = NULL, status = 'todo' WHERE tenant_id = $1", [tenantId]);
  const rows = await query<{ key: string; id: string }>(
    w.t.db.adminUrl,
    'SELECT a.key, t.id FROM task t JOIN activity a ON a.id = t.activity_id WHERE t.tenant_id = $1 ORDER BY t.period_start',
    [tenantId],
  );
  const tasks: Record<string, string> = {};
  for (const r of rows) tasks[r.key] ??= r.id;
  return { tenantId, subscriptionId: sub.json<{ id: string }>().id, tasks };
}

/** Behind the api's back: the state a test needs, without waiting for calendars. */
export async function setTask(
  w: World,
  taskId: string,
  fields: { dueDate?: string | null; assigneeId?: string | null; status?: string },
): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [taskId];
  if (fields.dueDate !== undefined) sets.push(`due_date = $${params.push(fields.dueDate)}::date`);
  if (fields.assigneeId !== undefined) sets.push(`assignee_id = $${params.push(fields.assigneeId)}::uuid`);
  if (fields.status !== undefined) {
    sets.push(`status = $${params.push(fields.status)}`);
    if (fields.status === 'not_applicable') sets.push("not_applicable_reason = 'test'");
  }
  const updated = await query(w.t.db.adminUrl, `UPDATE task SET ${sets.join(', ')} WHERE id = $1 RETURNING id`, params);
  if (updated.length !== 1) throw new Error(`setTask: no task ${taskId}`);
}

export async function setReminderSettings(
  w: World,
  tenantId: string,
  settings: { reminderDays?: number[]; escalationDays?: number },
): Promise<void> {
  await query(
    w.t.db.adminUrl,
    'UPDATE tenant SET reminder_days = coalesce($2::int[], reminder_days), escalation_days = coalesce($3::int, escalation_days) WHERE id = $1',
    [tenantId, settings.reminderDays ?? null, settings.escalationDays ?? null],
  );
}

/** What the 15-minute sweep writes (digests have their own schedule) unless told otherwise. */
export function sweep(w: World, now: string, kinds: readonly NotificationKind[] = SWEEP_KINDS): Promise<SweepResult> {
  return sweepReminders(w.ds, w.boss, { queue: MAIL_QUEUE, now: new Date(now), kinds });
}

export interface NotificationRow {
  id: string;
  recipient_id: string;
  task_id: string | null;
  kind: NotificationKind;
  window: string;
  status: string;
  attempts: number;
  last_error: string | null;
  message_id: string | null;
  /** The lead of the summary mail the row is part of (its own id for the lead), else null. */
  summary_id: string | null;
  data: { dueDate?: string; assigneeId?: string | null; taskIds?: string[]; reviewId?: string };
}

/** A tenant's notifications, as the superuser sees them, in a stable order. */
export function notifications(w: World, tenantId: string): Promise<NotificationRow[]> {
  return query<NotificationRow>(
    w.t.db.adminUrl,
    `SELECT id, recipient_id, task_id, kind, "window" AS window, status, attempts, last_error, message_id, summary_id, data
       FROM notification WHERE tenant_id = $1 ORDER BY created_at, kind, "window", recipient_id, task_id`,
    [tenantId],
  );
}

/** `kind window recipient-label task-label` lines: easy to read in a failed expectation. */
export async function summary(w: World, tenantId: string, labels: Record<string, string>): Promise<string[]> {
  const rows = await notifications(w, tenantId);
  const label = (id: string | null): string => (id === null ? '-' : (labels[id] ?? id));
  return rows.map((r) => `${r.kind} ${r.window} ${label(r.recipient_id)} ${label(r.task_id)}`).sort();
}

/** A few accounts made once per file: signing up costs an argon2 hash each. */
export async function accounts(w: World, n: number, prefix = 'rem'): Promise<Account[]> {
  const out: Account[] = [];
  for (let i = 0; i < n; i++) out.push(await signup(w.t.app, { name: `${prefix} ${i + 1}` }));
  return out;
}

/**
 * How many of these notifications a live mail-send job names: the row carries the id of a job in
 * the queue, and the job's mails (`reminder_job_mails`, as the sender asks, as the app role)
 * include it.
 */
export async function jobCount(w: World, notificationIds: readonly string[]): Promise<number> {
  const rows = await query<{ id: string; job_id: string }>(
    w.t.db.adminUrl,
    `SELECT n.id, n.job_id FROM notification n
      WHERE n.id = ANY ($2::uuid[]) AND EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = $1 AND j.id = n.job_id)`,
    [MAIL_QUEUE, notificationIds],
  );
  let named = 0;
  for (const jobId of new Set(rows.map((r) => r.job_id))) {
    const mails = await query<{ notification_id: string }>(w.t.db.appUrl, 'SELECT notification_id FROM reminder_job_mails($1)', [jobId]);
    const ids = new Set(mails.map((m) => m.notification_id));
    named += rows.filter((r) => r.job_id === jobId && ids.has(r.id)).length;
  }
  return named;
}

/**
 * Behind the app's back: gives these notifications one job id of their own, as if one sweep's
 * chunk held just them, so a test can hand the sender a job that names exactly these mails.
 */
export async function jobOf(w: World, notificationIds: readonly string[]): Promise<string> {
  const [row] = await query<{ job_id: string }>(
    w.t.db.adminUrl,
    'WITH j AS (SELECT gen_random_uuid() AS id) UPDATE notification SET job_id = (SELECT id FROM j) WHERE id = ANY ($1::uuid[]) RETURNING job_id',
    [notificationIds],
  );
  return row!.job_id;
}
