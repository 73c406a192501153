import { Client } from 'pg';
import { insertSubscription, insertTask } from '../factories/tasks';
import { addMembership, insertTenantWithId, insertUser } from '../factories/tenancy';
import { createTestDatabase, query, type TestDatabase } from '../harness/database';

let db: TestDatabase;
const TENANT = '0c0c0c0c-0000-4000-8000-00000000000c';
let userId: string;
let taskId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  // Setup as superuser, behind the app's back: one tenant, its admin, one task due tomorrow.
  ({ id: userId } = await insertUser(db.adminUrl, { email: 'rls@x.test', name: 'R' }));
  await insertTenantWithId(db.adminUrl, TENANT, userId, 'T');
  await addMembership(db.adminUrl, TENANT, userId, 'admin');
  const subscription = await insertSubscription(db.adminUrl, TENANT, userId);
  taskId = await insertTask(db.adminUrl, {
    tenantId: TENANT,
    subscriptionId: subscription.id,
    periodStart: '2026-01-01',
    dueDate: '2026-04-10',
  });
});
afterAll(async () => db.drop());

/** Runs statements in one session of the given role; returns the last one's rows. */
async function session<T>(url: string, statements: string[], params: unknown[][] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    let rows: T[] = [];
    for (const [i, sql] of statements.entries()) rows = (await client.query(sql, params[i] ?? [])).rows as T[];
    return rows;
  } finally {
    await client.end();
  }
}

const TABLES = ['tenant', 'membership', 'subscription', 'task', 'review', 'notification', 'notification_preference'];

describe('the reminders definer scope', () => {
  it.each(TABLES)('the app role setting app.scope itself sees nothing of %s', async (table) => {
    for (const local of [false, true]) {
      const rows = await session(db.appUrl, [
        'BEGIN',
        `SELECT set_config('app.scope', 'reminders', ${String(local)})`,
        `SELECT * FROM ${table}`,
      ]);
      expect(rows).toEqual([]);
    }
    expect(await session<{ s: boolean }>(db.appUrl, ["SET app.scope = 'reminders'", "SELECT app_definer_scope('reminders') AS s"])).toEqual(
      [{ s: false }],
    );
  });

  it('the rows are there (the superuser sees them), so the empty answers above are RLS', async () => {
    expect(await query(db.adminUrl, 'SELECT id FROM task WHERE id = $1', [taskId])).toHaveLength(1);
  });

  it('the app role cannot write notifications itself, only mark them', async () => {
    await expect(
      query(
        db.appUrl,
        "INSERT INTO notification (tenant_id, recipient_id, task_id, kind, \"window\") VALUES ($1, $2, $3, 'due_soon', 'd7')",
        [TENANT, userId, taskId],
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(query(db.appUrl, 'DELETE FROM notification')).rejects.toThrow(/permission denied/);
  });

  it('the sweep works across tenants for the app role, and leaves no scope behind', async () => {
    const client = new Client({ connectionString: db.appUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT * FROM sweep_reminder_jobs('2026-04-03T12:00:00Z', ARRAY['due_soon'])");
      const { rows: jobs } = await client.query<{ job_id: string; mails: number; scope: string }>(
        "SELECT job_id, mails, current_setting('app.scope', true) AS scope FROM sweep_reminder_jobs('2026-04-09T12:00:00Z', ARRAY['due_soon'])",
      );
      expect(jobs).toEqual([{ job_id: expect.any(String), mails: 1, scope: '' }]);
      // The job names its mail, in its tenant, across tenants too; no scope stays behind either.
      const { rows: mails } = await client.query<{ tenant_id: string; scope: string }>(
        "SELECT tenant_id, current_setting('app.scope', true) AS scope FROM reminder_job_mails($1)",
        [jobs[0]!.job_id],
      );
      expect(mails).toEqual([{ tenant_id: TENANT, scope: '' }]);
    } finally {
      await client.end();
    }
    // Rolled back with the session: nothing stays.
    expect(await query(db.adminUrl, 'SELECT * FROM notification')).toEqual([]);
    const committed = await query<{ mails: number }>(db.appUrl, "SELECT mails FROM sweep_reminder_jobs('2026-04-03T12:00:00Z', NULL)");
    expect(committed).toEqual([{ mails: 1 }]);
    // Unscoped, the app role sees none of them; scoped to the tenant, it does.
    expect(await query(db.appUrl, 'SELECT * FROM notification')).toEqual([]);
    const scoped = await session(db.appUrl, [
      'BEGIN',
      `SELECT set_config('app.tenant_id', '${TENANT}', true)`,
      'SELECT id FROM notification',
    ]);
    expect(scoped).toHaveLength(1);
  });

  it.each([
    'sweep_reminder_jobs(now(), NULL)',
    "requeue_reminder_jobs(now(), 'mail-send', interval '10 minutes')",
    'reminder_job_mails(gen_random_uuid())',
  ])('the owner cannot run %s (it would not be a definer call)', async (call) => {
    await expect(query(db.ownerUrl, `SELECT * FROM ${call}`)).rejects.toThrow(/must be called by the app role/);
  });

  it('no SECURITY DEFINER function appears without review', async () => {
    // A definer function runs with current_user <> session_user, so a scope the caller set
    // before calling it would be active inside. Those below were checked: the audit ones read
    // audit tables only, which have no definer-scope policy. exports_expired_packs sets its own
    // scope ('exports'), which only evidence_pack honours (read). The metrics counts set their own
    // too and answer aggregates only: reminders_notification_counts ('reminders', notification),
    // evidence_bytes_stored ('evidence', which only evidence honours, read). A new one must not read the tables
    // above with a caller's scope (reset app.scope first), then be added here.
    const rows = await query<{ name: string }>(
      db.adminUrl,
      "SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.prosecdef ORDER BY 1",
    );
    expect(rows.map((r) => r.name)).toEqual([
      'audit_claim_head',
      'audit_event_link',
      // Sets its own scope ('reminders') and reads through the invoker functions, like the sweep.
      'catalog_update_recipients',
      'evidence_bytes_stored',
      // The tenant purges (docs/tenancy-admin.md): each refuses any tenant but the transaction's
      // own (app_tenant_id) once tenancy has tombstoned it, and reads no other tenant's rows.
      'evidence_purge_tenant',
      'exports_expired_packs',
      'exports_purge_tenant',
      // Sets its own scope ('reminders') and answers a job's (tenant, notification) ids only.
      'reminder_job_mails',
      'reminders_notification_counts',
      'reminders_purge_tenant',
      'requeue_reminder_jobs',
      'sweep_reminder_jobs',
      'tasks_purge_tenant',
      // Keyed on the scope's user (app.user_id), never a parameter: the tenants where that user
      // reviews (docs/tasks.md, "Review queue").
      'tasks_review_queue',
    ]);
  });
});
