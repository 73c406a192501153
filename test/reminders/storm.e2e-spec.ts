import { ReminderSender, UnsubscribeTokens, type MailJobData } from '../../libs/reminders';
import { Mailer } from '../../libs/notify';
import { addDays, todayIn } from '../../libs/tasks';
import { jwtSecret } from '../../libs/tenancy';
import type { Account } from '../harness/api';
import { query, quietLogger } from '../harness/database';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../harness/smtp-sink';
import { accounts, bootWorld, MAIL_QUEUE, notifications, reminderTenant, setTask, sweep, type World } from './setup';

// Issue 12 item 14: reminders people do not mute. One sweep must never bury a recipient.
const PUBLIC_URL = 'https://dutybook.example';

let w: World;
let sink: SmtpSink;
let mailer: Mailer;
let sender: ReminderSender;
let clock: Date;

beforeAll(async () => {
  sink = await startSmtpSink();
  w = await bootWorld({ SMTP_URL: sink.url, PUBLIC_URL });
  mailer = new Mailer(w.t.config, quietLogger());
  sender = new ReminderSender(
    w.db,
    w.boss,
    mailer,
    new UnsubscribeTokens(jwtSecret(w.t.config)),
    { publicUrl: PUBLIC_URL, queue: MAIL_QUEUE, now: () => clock },
    quietLogger(),
  );
});
afterAll(async () => {
  mailer.close();
  await w.close();
  await sink.close();
});
beforeEach(() => sink.reset());

/** An admin alone in a fresh tenant, without the weekly digest (a Monday would hold due-soon mails). */
async function loneAdmin(prefix: string): Promise<{ admin: Account; tenantId: string }> {
  const [admin] = (await accounts(w, 1, prefix)) as [Account];
  await w.call({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: admin.accessToken, payload: { digest: false } });
  const created = await w.call({ method: 'POST', url: '/api/v1/tenants', token: admin.accessToken, payload: { name: `Storm ${prefix}` } });
  expect(created.statusCode).toBe(201);
  return { admin, tenantId: created.json<{ id: string }>().id };
}

/** Runs every mail-send job the sweeps wrote, as the worker would, and returns what reached the sink. */
async function deliverQueued(): Promise<ReceivedMail[]> {
  const jobs = await query<{ id: string; data: MailJobData }>(
    w.t.db.adminUrl,
    "UPDATE pgboss.job SET state = 'completed', completed_on = now() WHERE name = $1 AND state = 'created' RETURNING id, data",
    [MAIL_QUEUE],
  );
  await sender.deliverBatch(jobs.map((job) => ({ id: job.id, name: MAIL_QUEUE, data: job.data, expireInSeconds: 300 })));
  // The sink has a message before the client gets its 250: nothing is still in flight here.
  return [...sink.messages];
}

const kindOf = (m: ReceivedMail): string => {
  const value = m.parsed.headers.get('x-dutybook-kind');
  return typeof value === 'string' ? value : '';
};

describe('the first sweep after a subscription', () => {
  it('subscribing with a start date in the past sends the only admin one summary mail', async () => {
    const { admin, tenantId } = await loneAdmin('storm-past');
    const today = todayIn('UTC');
    const sub = await w.call({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/subscriptions`,
      token: admin.accessToken,
      payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: addDays(today, -75) },
    });
    expect(sub.statusCode).toBe(201);
    clock = new Date();
    await sweep(w, clock.toISOString());
    const rows = await notifications(w, tenantId);
    // The rules still find many reminders (each recorded once, its own idempotency key) ...
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.map((r) => r.kind)).toEqual(expect.arrayContaining(['overdue', 'escalation']));

    const mails = await deliverQueued();
    // ... but they reach the admin as one mail.
    expect(mails.map((m) => m.envelopeTo)).toEqual([[admin.email]]);
    const [mail] = mails;
    expect(kindOf(mail!)).toBe('summary');
    const sent = (await notifications(w, tenantId)).filter((r) => r.status === 'sent');
    const lead = rows.find((r) => `<${r.id}@dutybook>` === mail!.parsed.messageId);
    expect(lead).toBeDefined();
    expect(new Set(sent.map((r) => r.message_id))).toEqual(new Set([mail!.parsed.messageId]));
    // Each task the mail is about is named once, even where it is both overdue and escalated.
    const text = mail!.parsed.text ?? '';
    for (const r of sent) expect(text).toContain(`/tasks/${r.task_id ?? ''}`);
    for (const taskId of new Set(sent.map((r) => r.task_id))) {
      expect(text.split(`/tasks/${taskId ?? ''}`).length - 1).toBe(1);
    }

    // The next sweep has nothing new to say.
    clock = new Date(clock.getTime() + 15 * 60_000);
    await sweep(w, clock.toISOString());
    expect(await deliverQueued()).toHaveLength(1);
  });

  it('subscribing today sends one mail, not one per duty due today', async () => {
    const { admin, tenantId } = await loneAdmin('storm-today');
    const sub = await w.call({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/subscriptions`,
      token: admin.accessToken,
      payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: todayIn('UTC') },
    });
    expect(sub.statusCode).toBe(201);
    clock = new Date();
    await sweep(w, clock.toISOString());
    const dueSoon = (await notifications(w, tenantId)).filter((r) => r.kind === 'due_soon');
    expect(dueSoon.length).toBeGreaterThan(1);
    const mails = await deliverQueued();
    expect(mails.map((m) => [m.envelopeTo, kindOf(m), m.parsed.subject])).toHaveLength(1);
    expect(mails[0]!.parsed.subject).toMatch(/^\d+ duties need attention: \d+ due soon — Storm storm-today$/);
  });

  it('creates every period that has already started at once', async () => {
    const { admin, tenantId } = await loneAdmin('storm-periods');
    const sub = await w.call({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/subscriptions`,
      token: admin.accessToken,
      payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: addDays(todayIn('UTC'), -75) },
    });
    expect(sub.statusCode).toBe(201);
    const rows = await query<{ n: number; past: number }>(
      w.t.db.adminUrl,
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE period_start > $2::date)::int AS past FROM task WHERE tenant_id = $1`,
      [tenantId, addDays(todayIn('UTC'), -75)],
    );
    // Monthly duties have had two or three periods start since; they exist now, not at the next roll-over.
    expect(rows[0]!.past).toBeGreaterThan(0);
    expect(sub.json<{ tasksCreated: number }>().tasksCreated).toBe(rows[0]!.n);
  });
});

describe('one sweep, one mail per person', () => {
  it('an admin who owns an escalated task gets the escalation, not also the overdue mail', async () => {
    const [admin] = (await accounts(w, 1, 'esc-owner')) as [Account];
    const r = await reminderTenant(w, admin);
    const taskId = r.tasks['PX-15']!;
    await setTask(w, taskId, { dueDate: '2026-03-20', assigneeId: admin.userId });
    clock = new Date('2026-04-01T10:00:00Z'); // 12 days overdue, past the 7-day escalation
    await sweep(w, clock.toISOString());
    const mails = await deliverQueued();
    expect(mails.map(kindOf)).toEqual(['escalation']);
    const rows = await notifications(w, r.tenantId);
    expect(rows.map((n) => [n.kind, n.status])).toEqual(
      expect.arrayContaining([
        ['escalation', 'sent'],
        ['overdue', 'skipped'],
      ]),
    );
    expect(rows.find((n) => n.kind === 'overdue')!.last_error).toBe('covered by the escalation of the same sweep');
    // Next week's overdue reminder still goes to the owner.
    sink.reset();
    clock = new Date('2026-04-05T10:00:00Z');
    await sweep(w, clock.toISOString());
    expect((await deliverQueued()).map(kindOf)).toEqual(['overdue']);
  });

  it('several due-soon mails to one person in one sweep are one mail; others still get their own', async () => {
    const [admin, member] = (await accounts(w, 2, 'due-soon-merge')) as [Account, Account];
    const r = await reminderTenant(w, admin, { members: [[member, 'member']] });
    const keys = Object.keys(r.tasks).slice(0, 4);
    for (const key of keys.slice(0, 3)) await setTask(w, r.tasks[key]!, { dueDate: '2026-04-09', assigneeId: member.userId });
    await setTask(w, r.tasks[keys[3]!]!, { dueDate: '2026-04-09', assigneeId: admin.userId });
    clock = new Date('2026-04-08T10:00:00Z'); // a Wednesday: no digest morning
    await sweep(w, clock.toISOString());
    const mails = await deliverQueued();
    const byRecipient = new Map(mails.map((m) => [m.envelopeTo[0], m]));
    expect(mails).toHaveLength(2);
    expect(kindOf(byRecipient.get(member.email)!)).toBe('summary');
    expect(byRecipient.get(member.email)!.parsed.subject).toMatch(/^3 duties need attention: 3 due soon — /);
    expect(kindOf(byRecipient.get(admin.email)!)).toBe('due_soon');
    const rows = await notifications(w, r.tenantId);
    expect(rows.map((n) => n.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('a summary leaves out what is no longer true when its turn comes, and says so', async () => {
    const [admin] = (await accounts(w, 1, 'summary-skip')) as [Account];
    const r = await reminderTenant(w, admin);
    const [a, b, c] = Object.values(r.tasks) as [string, string, string];
    for (const id of [a, b, c]) await setTask(w, id, { dueDate: '2026-04-09', assigneeId: admin.userId });
    clock = new Date('2026-04-08T10:00:00Z');
    await sweep(w, clock.toISOString());
    await setTask(w, a, { status: 'not_applicable' });
    const mails = await deliverQueued();
    expect(mails.map((m) => [m.envelopeTo, kindOf(m), m.parsed.subject])).toHaveLength(1);
    expect(mails[0]!.parsed.subject).toMatch(/^2 duties need attention: 2 due soon — /);
    const byTask = new Map((await notifications(w, r.tenantId)).map((n) => [n.task_id, n]));
    expect(byTask.get(a)).toMatchObject({ status: 'skipped', last_error: 'the task is not_applicable now' });
    expect(byTask.get(b)).toMatchObject({ status: 'sent' });
    expect(byTask.get(c)).toMatchObject({ status: 'sent' });
  });
});
