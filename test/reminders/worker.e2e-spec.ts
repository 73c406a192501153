import { Writable } from 'node:stream';
import pino from 'pino';
import { QUEUES } from '../../apps/worker/queues';
import { loadConfig, type Logger } from '../../libs/core';
import { createJobQueue, type PgBoss } from '../../libs/db';
import { ReminderJobs } from '../../libs/reminders';
import { addDays, todayIn } from '../../libs/tasks';
import type { Account } from '../harness/api';
import { query } from '../harness/database';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { accounts, bootWorldWithWorker, notifications, reminderTenant, setTask, type World } from './setup';
import { until } from '../harness/until';

/** A pino logger whose lines the test can read. */
function capturingLogger(): { logger: Logger; lines: () => { msg?: string; mail?: string }[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines: () => out.map((l) => JSON.parse(l) as { msg?: string; mail?: string }) };
}

let w: World;
let sink: SmtpSink;
let capture: ReturnType<typeof capturingLogger>;
let client: PgBoss;
let member: Account;
let admin: Account;

beforeAll(async () => {
  sink = await startSmtpSink();
  capture = capturingLogger();
  w = await bootWorldWithWorker({ SMTP_URL: sink.url, PUBLIC_URL: 'https://dutybook.example' }, capture.logger);
  client = createJobQueue(w.t.db.appUrl, { applicationName: 'test-client', schedule: false, supervise: false }, capture.logger);
  await client.start();
  [admin, member] = (await accounts(w, 2, 'worker')) as [Account, Account];
  // No digest: on a Monday morning, due-soon mails would otherwise wait for it.
  await w.call({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: member.accessToken, payload: { digest: false } });
});
afterAll(async () => {
  await client.stop({ graceful: false, wait: true });
  await w.close();
  await sink.close();
});

/** A tenant whose listed tasks, assigned to the member, fall due tomorrow (real time). */
async function dueTomorrow(keys: readonly string[]): Promise<string> {
  const r = await reminderTenant(w, admin, { members: [[member, 'member']] });
  const tomorrow = addDays(todayIn('UTC'), 1);
  for (const key of keys) await setTask(w, r.tasks[key]!, { dueDate: tomorrow, assigneeId: member.userId });
  return r.tenantId;
}

describe('the worker', () => {
  it('registers its schedules (cron, UTC) and says where mail goes', async () => {
    const schedules = await query<{ name: string; cron: string; timezone: string }>(
      w.t.db.adminUrl,
      'SELECT name, cron, timezone FROM pgboss.schedule ORDER BY name',
    );
    expect(schedules).toEqual([
      { name: QUEUES.evidencePackExpiry.name, cron: '41 * * * *', timezone: 'UTC' },
      { name: QUEUES.housekeeping.name, cron: '17 3 * * *', timezone: 'UTC' },
      { name: QUEUES.rollover.name, cron: '5 * * * *', timezone: 'UTC' },
      { name: QUEUES.remindersDigest.name, cron: '0 * * * *', timezone: 'UTC' },
      { name: QUEUES.remindersSweep.name, cron: '*/15 * * * *', timezone: 'UTC' },
    ]);
    expect(capture.lines().map((l) => l.msg)).toContain(`reminder mails go to SMTP smtp://127.0.0.1:${sink.port}`);

    // Without SMTP_URL the log names the outbox folder.
    const quiet = capturingLogger();
    const config = loadConfig({ DATA_DIR: '/var/lib/dutybook-test', LOG_LEVEL: 'info' });
    new ReminderJobs(w.ds, w.db, client, config, quiet.logger, QUEUES.mailSend.name).close();
    expect(quiet.lines().map((l) => l.msg)).toEqual([
      'no SMTP_URL: reminder mails are written as .eml files under /var/lib/dutybook-test/outbox',
    ]);
  });

  it('a scheduled sweep job writes the notifications; the mail-send jobs deliver each once', async () => {
    const tenantId = await dueTomorrow(['PX-15', 'PX-17', 'PX-18']);
    await client.send(QUEUES.remindersSweep.name, {});
    const sent = await until('three sent notifications', async () => {
      const rows = await notifications(w, tenantId);
      return rows.length === 3 && rows.every((n) => n.status === 'sent') ? rows : undefined;
    });
    // Three reminders to one person in one sweep: one summary mail, under its lead's Message-ID.
    const mails = await sink.waitFor(1);
    const lead = sent.find((n) => n.summary_id === n.id)!;
    expect(mails.map((m) => m.parsed.messageId)).toEqual([`<${lead.id}@dutybook>`]);
    expect(sent.every((n) => n.summary_id === lead.id && n.message_id === `<${lead.id}@dutybook>`)).toBe(true);
    expect(mails[0]!.envelopeTo).toEqual([member.email]);
    expect(mails[0]!.parsed.subject).toMatch(/^3 duties need attention: 3 due soon — /);
    // One job, naming the lead (its rows go with it), completed.
    const jobs = await until('the mail job to settle', async () => {
      const rows = await query<{ state: string; mails: number }>(
        w.t.db.adminUrl,
        "SELECT state, (data ->> 'mails')::int AS mails FROM pgboss.job WHERE name = $1 AND id IN (SELECT job_id FROM notification WHERE id = ANY ($2::uuid[]))",
        [QUEUES.mailSend.name, sent.map((n) => n.id)],
      );
      return rows.some((r) => r.state === 'active' || r.state === 'created') ? undefined : rows;
    });
    expect(jobs).toEqual([{ state: 'completed', mails: 1 }]);
    // Another sweep (or the same one run twice) adds nothing and sends nothing.
    await client.send(QUEUES.remindersSweep.name, {});
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await notifications(w, tenantId)).toHaveLength(3);
    expect(sink.messages).toHaveLength(1);
  });

  it('two workers on one queue: every mail exactly once', async () => {
    sink.reset();
    // A second worker process, as `npm run start:worker` would run beside `npm start`.
    const second = createJobQueue(w.t.db.appUrl, { applicationName: 'second-worker', schedule: false, supervise: false }, capture.logger);
    await second.start();
    const jobs = new ReminderJobs(w.ds, w.db, second, w.t.config, capture.logger, QUEUES.mailSend.name);
    try {
      await jobs.workMailQueue(2, 1);
      const keys = [
        'PX-01',
        'PX-02',
        'PX-03',
        'PX-04',
        'PX-07',
        'PX-09',
        'PX-10',
        'PX-11',
        'PX-13',
        'PX-15',
        'PX-17',
        'PX-18',
        'PX-19',
        'PX-22',
      ];
      const tenants = [await dueTomorrow(keys), await dueTomorrow(keys)];
      // Both the scheduled job and a manual sweep at once.
      await Promise.all([client.send(QUEUES.remindersSweep.name, {}), jobs.sweep()]);
      const expected = keys.length * tenants.length;
      const rows = await until(`${expected} sent notifications`, async () => {
        const all = (await Promise.all(tenants.map((t) => notifications(w, t)))).flat();
        return all.length === expected && all.every((n) => n.status === 'sent') ? all : undefined;
      });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // One summary mail per tenant (the member's reminders of one sweep), each exactly once.
      const ids = sink.messages.map((m) => m.parsed.messageId);
      expect(ids).toHaveLength(tenants.length);
      expect(new Set(ids)).toEqual(new Set(rows.map((n) => n.message_id)));
      expect(new Set(ids)).toEqual(new Set(rows.filter((n) => n.summary_id === n.id).map((n) => `<${n.id}@dutybook>`)));
    } finally {
      await second.stop({ graceful: true, wait: true, timeout: 5000 });
      jobs.close();
    }
  });
});
