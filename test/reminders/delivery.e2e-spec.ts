import net from 'node:net';
import type { ParsedMail } from 'mailparser';
import { DIGEST_KINDS, ReminderSender, UnsubscribeTokens, type DeliveryOutcome, type MailJobData } from '../../libs/reminders';
import type { PgBoss } from '../../libs/db';
import { Mailer } from '../../libs/notify';
import { jwtSecret } from '../../libs/tenancy';
import { insertReview } from '../factories/tasks';
import type { Account } from '../harness/api';
import { query, quietLogger } from '../harness/database';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import {
  accounts,
  bootWorld,
  jobCount,
  jobOf,
  MAIL_QUEUE,
  notifications,
  reminderTenant,
  setTask,
  sweep,
  type NotificationRow,
  type World,
} from './setup';

const PUBLIC_URL = 'https://dutybook.example';
const HOSTILE = `<script>alert("x")</script> O'Brien & "Sons"`;

let w: World;
let sink: SmtpSink;
let mailer: Mailer;
let tokens: UnsubscribeTokens;
let admin: Account;
let member: Account;
let auditor: Account;
let clock: Date;

function senderWith(m: Mailer, afterAccept?: (id: string) => void): ReminderSender {
  return new ReminderSender(
    w.db,
    w.boss,
    m,
    tokens,
    { publicUrl: PUBLIC_URL, queue: MAIL_QUEUE, now: () => clock, ...(afterAccept ? { afterAccept } : {}) },
    quietLogger(),
  );
}
let sender: ReminderSender;

beforeAll(async () => {
  sink = await startSmtpSink();
  w = await bootWorld({ SMTP_URL: sink.url, PUBLIC_URL, MAIL_FROM: 'Dutybook <reminders@dutybook.example>' });
  mailer = new Mailer(w.t.config, quietLogger());
  tokens = new UnsubscribeTokens(jwtSecret(w.t.config));
  sender = senderWith(mailer);
  admin = (await accounts(w, 1, HOSTILE))[0]!;
  [member, auditor] = (await accounts(w, 2, 'deliver')) as [Account, Account];
});
afterAll(async () => {
  mailer.close();
  await w.close();
  await sink.close();
});
beforeEach(() => sink.reset());

const deliver = (n: NotificationRow, tenantId: string, s: ReminderSender = sender): Promise<DeliveryOutcome> =>
  s.deliver({ tenantId, notificationId: n.id });
/** The raw header line, unfolded (long ones are folded onto continuation lines). */
const headerLine = (parsed: ParsedMail, key: string): string | undefined =>
  parsed.headerLines
    .find((h) => h.key === key)
    ?.line.replace(/\r?\n(?=[ \t])/g, '')
    .replace(/:[ \t]+/, ': ');
const title = async (taskId: string): Promise<string> =>
  (
    await query<{ title: string }>(w.t.db.adminUrl, 'SELECT a.title FROM task t JOIN activity a ON a.id = t.activity_id WHERE t.id = $1', [
      taskId,
    ])
  )[0]!.title;

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A tenant with one due-soon notification (Fri 10 Apr 2026, swept 7 days before). */
async function oneDueSoon(name = 'Acme', timezone = 'Europe/Paris'): Promise<{ tenantId: string; taskId: string; n: NotificationRow }> {
  const r = await reminderTenant(w, admin, {
    name,
    timezone,
    members: [
      [member, 'member'],
      [auditor, 'auditor'],
    ],
  });
  const taskId = r.tasks['PX-15']!;
  await setTask(w, taskId, { dueDate: '2026-04-10', assigneeId: member.userId });
  clock = new Date('2026-04-03T10:00:00Z');
  await sweep(w, clock.toISOString());
  const rows = await notifications(w, r.tenantId);
  expect(rows).toHaveLength(1);
  return { tenantId: r.tenantId, taskId, n: rows[0]! };
}

describe('the mail', () => {
  it('says what and when, in HTML and plain text, with the task link and one-click unsubscribe', async () => {
    const { tenantId, taskId, n } = await oneDueSoon(HOSTILE);
    expect(await deliver(n, tenantId)).toBe('sent');

    const [mail] = await sink.waitFor(1);
    const parsed = mail!.parsed;
    expect(mail!.envelopeTo).toEqual([member.email]);
    expect(parsed.subject).toBe(`Due in 7 days (Fri 10 Apr 2026): ${await title(taskId)} — ${HOSTILE}`);
    expect(parsed.messageId).toBe(`<${n.id}@dutybook>`);
    expect(headerLine(parsed, 'auto-submitted')).toBe('Auto-Submitted: auto-generated');
    const token = tokens.sign(member.userId, 'due_soon');
    const unsubscribe = `${PUBLIC_URL}/api/v1/notifications/unsubscribe?token=${token}`;
    expect(headerLine(parsed, 'list-unsubscribe')).toBe(`List-Unsubscribe: <${unsubscribe}>`);
    expect(headerLine(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const link = `${PUBLIC_URL}/tenants/${tenantId}/tasks/${taskId}`;

    // Plain text: names as typed, the link spelled out, the time zone named.
    const text = parsed.text ?? '';
    expect(text).toContain(`Hello deliver 1,`);
    expect(text).toContain(`This duty of ${HOSTILE} falls due on Fri 10 Apr 2026:`);
    expect(text).toContain(`Open the task: ${link}`);
    expect(text).toContain('Europe/Paris');
    expect(text).toContain(unsubscribe);
    // HTML: the tenant name never becomes markup.
    const html = typeof parsed.html === 'string' ? parsed.html : '';
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; &quot;Sons&quot;');
    expect(html).toContain(`href="${link}"`);

    const [row] = await notifications(w, tenantId);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, message_id: `<${n.id}@dutybook>`, last_error: null });

    // The header's one-click POST (RFC 8058) turns exactly that kind off.
    const res = await w.call({
      method: 'POST',
      url: unsubscribe.slice(PUBLIC_URL.length),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);
    const prefs = await w.call({ method: 'GET', url: '/api/v1/me/notification-preferences', token: member.accessToken });
    expect(prefs.json()).toMatchObject({ dueSoon: false, overdue: true, digest: true });
    await w.call({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: member.accessToken, payload: { dueSoon: true } });
  });

  it('overdue, escalation (naming the assignee), rejection (with the comment, escaped) and digest', async () => {
    const r = await reminderTenant(w, admin, {
      name: 'Globex',
      timezone: 'America/New_York',
      members: [
        [member, 'member'],
        [auditor, 'auditor'],
      ],
    });
    const [late, rejected, long] = [r.tasks['PX-15']!, r.tasks['PX-17']!, r.tasks['PX-18']!];
    await setTask(w, late, { dueDate: '2026-04-01', assigneeId: member.userId });
    await setTask(w, rejected, { dueDate: '2026-04-30', assigneeId: member.userId, status: 'rejected' });
    await setTask(w, long, { dueDate: '2026-04-09', assigneeId: member.userId });
    clock = new Date('2026-04-08T14:00:00Z'); // a Wednesday; 7 days after Apr 1 in New York
    const comment = `<img src=x onerror=alert(1)> Evidence is from 2024 & "unsigned"`;
    await insertReview(w.t.db.adminUrl, {
      tenantId: r.tenantId,
      taskId: rejected,
      reviewerId: auditor.userId,
      decision: 'reject',
      comment,
      at: '2026-04-08T13:00:00Z',
    });
    // Two sweeps, so that each kind is a mail of its own here (one sweep would give the member one
    // summary of the overdue and the due-soon reminder: storm.e2e-spec.ts).
    await sweep(w, clock.toISOString(), ['overdue', 'escalation', 'review_rejected']);
    await sweep(w, clock.toISOString(), ['due_soon']);
    const rows = await notifications(w, r.tenantId);
    expect(rows.map((x) => x.kind).sort()).toEqual(['due_soon', 'escalation', 'overdue', 'review_rejected']);
    for (const row of rows) expect(await deliver(row, r.tenantId)).toBe('sent');
    const mails = await sink.waitFor(4);
    const kindOf = (m: ParsedMail): string =>
      m.headerLines.find((h) => h.key === 'x-dutybook-kind')?.line.replace(/^X-Dutybook-Kind: /, '') ?? '';
    const byKind = new Map(mails.map((m) => [kindOf(m.parsed), m.parsed]));

    expect(byKind.get('overdue')?.subject).toBe(`Overdue by 7 days (due Wed 1 Apr 2026): ${await title(late)} — Globex`);
    const esc = byKind.get('escalation')!;
    expect(esc.subject).toBe(`Escalation: overdue by 7 days (due Wed 1 Apr 2026), assigned to deliver 1: ${await title(late)} — Globex`);
    expect(esc.text).toContain(`It is assigned to deliver 1 <${member.email}>.`);
    expect(mails.find((m) => kindOf(m.parsed) === 'escalation')?.envelopeTo).toEqual([admin.email]);

    const rej = byKind.get('review_rejected')!;
    expect(rej.subject).toBe(`Rejected on Wed 8 Apr 2026: ${await title(rejected)} — Globex`);
    expect(rej.text).toContain(`Their comment:\n${comment}`);
    expect(rej.html).not.toContain('<img');
    expect(rej.html).toContain('&lt;img src=x onerror=alert(1)&gt; Evidence is from 2024 &amp; &quot;unsigned&quot;');

    // A long title is cut in the subject, never in the body.
    const soon = byKind.get('due_soon')!;
    const full = await title(long);
    expect(soon.subject).toMatch(/^Due tomorrow \(Thu 9 Apr 2026\): .{79}… — Globex$/);
    expect(soon.text).toContain(full);

    // The digest of the next Monday (08:00 New York = 12:00Z).
    clock = new Date('2026-04-13T12:00:00Z');
    await sweep(w, clock.toISOString(), DIGEST_KINDS);
    const digest = (await notifications(w, r.tenantId)).find((x) => x.kind === 'digest' && x.recipient_id === member.userId)!;
    expect(await deliver(digest, r.tenantId)).toBe('sent');
    const [, , , , digestMail] = await sink.waitFor(5);
    expect(digestMail!.parsed.subject).toBe('Weekly digest for the week of Mon 13 Apr 2026: 2 overdue, 0 due soon, 1 open — Globex');
    expect(digestMail!.parsed.text).toMatch(
      /Overdue \(2\):\n• PX-15 .*: due Wed 1 Apr 2026, 12 days ago\n• PX-18 .*: due Thu 9 Apr 2026, 4 days ago/,
    );
    expect(digestMail!.parsed.text).toMatch(/Open, due later \(1\):\n• PX-17 .*: due Thu 30 Apr 2026/);
  });
});

describe('exactly once', () => {
  it('a second delivery of the same notification sends nothing', async () => {
    const { tenantId, n } = await oneDueSoon();
    expect(await deliver(n, tenantId)).toBe('sent');
    expect(await deliver(n, tenantId)).toBe('done');
    await sink.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.messages).toHaveLength(1);
  });

  it('two senders at once: one sends, the other finds the row taken', async () => {
    const { tenantId, n } = await oneDueSoon();
    const outcomes = await Promise.all([deliver(n, tenantId), deliver(n, tenantId), deliver(n, tenantId)]);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    expect(outcomes.every((o) => ['sent', 'busy', 'done'].includes(o))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.messages).toHaveLength(1);
  });

  it('killed between the sweep and the send: the job is there, the next sender sends it once', async () => {
    const { tenantId, n } = await oneDueSoon();
    // The sweep committed the row and its job; no sender ran. A fresh one picks the job up.
    const [job] = await query<{ id: string; state: string; data: MailJobData }>(
      w.t.db.adminUrl,
      'SELECT j.id, j.state, j.data FROM pgboss.job j JOIN notification n ON n.job_id = j.id WHERE j.name = $1 AND n.id = $2',
      [MAIL_QUEUE, n.id],
    );
    // The job names its one mail by its id: the row carries it.
    expect(job).toMatchObject({ state: 'created', data: { mails: 1 } });
    await senderWith(mailer).deliverBatch([{ id: job!.id, name: MAIL_QUEUE, data: job!.data, expireInSeconds: 300 }]);
    expect((await notifications(w, tenantId))[0]?.status).toBe('sent');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.messages).toHaveLength(1);
  });

  it('killed after the SMTP server accepted, before the row was marked: sent again with the same Message-ID', async () => {
    const { tenantId, n } = await oneDueSoon();
    const crashing = senderWith(mailer, () => {
      throw new Error('killed');
    });
    await expect(deliver(n, tenantId, crashing)).rejects.toThrow('killed');
    expect((await notifications(w, tenantId))[0]?.status).toBe('queued');
    expect(await deliver(n, tenantId)).toBe('sent');
    const mails = await sink.waitFor(2);
    // The documented duplicate window: recognisable, since both carry the notification's id.
    expect(mails.map((m) => m.parsed.messageId)).toEqual([`<${n.id}@dutybook>`, `<${n.id}@dutybook>`]);
    expect((await notifications(w, tenantId))[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a crash inside a batch fails only that job, for pg-boss to retry', async () => {
    const { tenantId, n } = await oneDueSoon();
    const boss = { fail: jest.fn(() => Promise.resolve()) } as unknown as PgBoss;
    const crashing = new ReminderSender(
      w.db,
      boss,
      mailer,
      tokens,
      { publicUrl: PUBLIC_URL, queue: MAIL_QUEUE, now: () => clock },
      quietLogger(),
    );
    await crashing.deliverBatch([
      { id: await jobOf(w, [n.id]), name: MAIL_QUEUE, data: { mails: 1 }, expireInSeconds: 300 },
      // A job id that is not a uuid makes the query for its mails fail: the crash.
      { id: 'x', name: MAIL_QUEUE, data: { mails: 1 }, expireInSeconds: 300 },
    ]);
    expect((boss.fail as jest.Mock).mock.calls).toEqual([[MAIL_QUEUE, 'x', expect.objectContaining({ message: expect.any(String) })]]);
    expect((await notifications(w, tenantId))[0]?.status).toBe('sent');
  });

  it('a queued notification whose job is gone is queued again by the next sweep', async () => {
    const { tenantId, n } = await oneDueSoon();
    await query(w.t.db.adminUrl, 'DELETE FROM pgboss.job WHERE name = $1 AND id = (SELECT job_id FROM notification WHERE id = $2)', [
      MAIL_QUEUE,
      n.id,
    ]);
    // Not yet: it may still be on its way.
    expect((await sweep(w, new Date(clock.getTime() + 5 * 60_000).toISOString())).requeued).toBe(0);
    const later = await sweep(w, new Date(clock.getTime() + 11 * 60_000).toISOString());
    expect(later.requeued).toBeGreaterThanOrEqual(1);
    const [row] = await query<{ job_id: string }>(w.t.db.adminUrl, 'SELECT job_id FROM notification WHERE id = $1', [n.id]);
    const [job] = await query<{ data: MailJobData }>(w.t.db.adminUrl, 'SELECT data FROM pgboss.job WHERE name = $1 AND id = $2', [
      MAIL_QUEUE,
      row!.job_id,
    ]);
    expect(job?.data).toEqual({ mails: 1 });
    expect(await jobCount(w, [n.id])).toBe(1);
    // A job is live again: the next sweep leaves it alone.
    expect((await sweep(w, new Date(clock.getTime() + 12 * 60_000).toISOString())).requeued).toBe(0);
    expect(await deliver(n, tenantId)).toBe('sent');
  });
});

describe('SMTP faults', () => {
  it('server down: retried with backoff, then failed after 24 hours and listed for the admins with the reason', async () => {
    const { tenantId, n } = await oneDueSoon();
    const down = new Mailer({ ...w.t.config, smtpUrl: `smtp://127.0.0.1:${await closedPort()}` }, quietLogger());
    try {
      const s = senderWith(down);
      expect(await deliver(n, tenantId, s)).toBe('retry');
      let [row] = await query<{ status: string; attempts: number; last_error: string; job_id: string }>(
        w.t.db.adminUrl,
        'SELECT status, attempts, last_error, job_id FROM notification WHERE id = $1',
        [n.id],
      );
      expect(row).toMatchObject({ status: 'queued', attempts: 1, last_error: expect.stringMatching(/^no SMTP reply: .*ECONNREFUSED/) });
      const [retry] = await query<{ start_after: Date; data: MailJobData }>(
        w.t.db.adminUrl,
        'SELECT start_after, data FROM pgboss.job WHERE name = $1 AND id = $2',
        [MAIL_QUEUE, row!.job_id],
      );
      // The retry's job names this one mail: the row now carries its id.
      expect(retry!.data).toEqual({ mails: 1 });
      expect(await jobCount(w, [n.id])).toBe(1);
      expect(new Date(retry!.start_after).getTime()).toBe(clock.getTime() + 60_000);

      clock = new Date(clock.getTime() + 60_000);
      expect(await deliver(n, tenantId, s)).toBe('retry');
      [row] = await query(w.t.db.adminUrl, 'SELECT status, attempts, last_error, job_id FROM notification WHERE id = $1', [n.id]);
      const [second] = await query<{ start_after: Date }>(
        w.t.db.adminUrl,
        'SELECT start_after FROM pgboss.job WHERE name = $1 AND id = $2',
        [MAIL_QUEUE, row!.job_id],
      );
      expect(new Date(second!.start_after).getTime()).toBe(clock.getTime() + 2 * 60_000);

      // A day after the notification was written: the last try fails, and that is final.
      clock = new Date(new Date('2026-04-03T10:00:00Z').getTime() + 24 * 3600_000);
      expect(await deliver(n, tenantId, s)).toBe('failed');
      [row] = await query(w.t.db.adminUrl, 'SELECT status, attempts, last_error, job_id FROM notification WHERE id = $1', [n.id]);
      expect(row).toMatchObject({
        status: 'failed',
        attempts: 3,
        last_error: expect.stringMatching(/^gave up after 24 hours and 3 attempts; last: no SMTP reply/),
      });

      const list = await w.call({
        method: 'GET',
        url: `/api/v1/tenants/${tenantId}/notifications?status=failed`,
        token: admin.accessToken,
      });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({
        items: [
          {
            id: n.id,
            recipientId: member.userId,
            recipientEmail: member.email,
            taskId: n.task_id,
            kind: 'due_soon',
            window: 'd7',
            status: 'failed',
            attempts: 3,
            lastError: row!.last_error,
            createdAt: '2026-04-03T10:00:00.000Z',
            sentAt: null,
            failedAt: clock.toISOString(),
          },
        ],
        nextCursor: null,
      });
    } finally {
      down.close();
    }
  });

  it.each([421, 451] as const)('%i: temporary; the retry goes through, once', async (code) => {
    const { tenantId, n } = await oneDueSoon();
    // A fresh pool: on a reused connection nodemailer itself resends after a 421 (see docs).
    const fresh = new Mailer(w.t.config, quietLogger());
    try {
      sink.failNext(code);
      expect(await deliver(n, tenantId, senderWith(fresh))).toBe('retry');
      expect((await notifications(w, tenantId))[0]).toMatchObject({
        status: 'queued',
        attempts: 1,
        last_error: expect.stringMatching(new RegExp(`^SMTP ${code}: ${code} `)),
      });
      expect(await deliver(n, tenantId, senderWith(fresh))).toBe('sent');
      expect((await notifications(w, tenantId))[0]).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(sink.messages).toHaveLength(1);
    } finally {
      fresh.close();
    }
  });

  it('451 after DATA: temporary too', async () => {
    const { tenantId, n } = await oneDueSoon();
    sink.failNext(451, 1, 'data');
    expect(await deliver(n, tenantId)).toBe('retry');
    expect(await deliver(n, tenantId)).toBe('sent');
    expect(sink.messages).toHaveLength(1);
  });

  it('550 for one recipient: that one fails at once with the reason; the others of the batch go', async () => {
    const [a, b, gone] = await accounts(w, 3, 'batch');
    const r = await reminderTenant(w, admin, {
      members: [
        [a!, 'member'],
        [b!, 'member'],
        [gone!, 'member'],
      ],
    });
    const keys = ['PX-15', 'PX-17', 'PX-18'];
    for (const [i, who] of [a!, gone!, b!].entries())
      await setTask(w, r.tasks[keys[i]!]!, { dueDate: '2026-04-10', assigneeId: who.userId });
    clock = new Date('2026-04-03T10:00:00Z');
    await sweep(w, clock.toISOString());
    const rows = await notifications(w, r.tenantId);
    expect(rows).toHaveLength(3);
    sink.rejectRecipient(gone!.email, 550);
    await sender.deliverBatch([
      {
        id: await jobOf(
          w,
          rows.map((x) => x.id),
        ),
        name: MAIL_QUEUE,
        data: { mails: rows.length },
        expireInSeconds: 300,
      },
    ]);
    const after = await notifications(w, r.tenantId);
    expect(after.find((x) => x.recipient_id === gone!.userId)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: expect.stringMatching(/^SMTP 550: 550 /),
    });
    expect(
      after
        .filter((x) => x.status === 'sent')
        .map((x) => x.recipient_id)
        .sort(),
    ).toEqual([a!.userId, b!.userId].sort());
    expect(sink.messages.map((m) => m.envelopeTo[0]).sort()).toEqual([a!.email, b!.email].sort());
  });
});

describe('no longer true when its turn comes: skipped, with the reason', () => {
  it.each([
    ['the task was completed', (taskId: string) => setTask(w, taskId, { status: 'done' }), 'the task is done now'],
    ['the due date moved', (taskId: string) => setTask(w, taskId, { dueDate: '2026-05-01' }), 'the due date changed'],
    ['the task was reassigned', (taskId: string) => setTask(w, taskId, { assigneeId: admin.userId }), 'the task was reassigned'],
    [
      'the recipient turned the kind off',
      async () => {
        await w.call({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: member.accessToken, payload: { dueSoon: false } });
      },
      'turned off by the recipient',
    ],
  ])('%s', async (_what, change, reason) => {
    const { tenantId, taskId, n } = await oneDueSoon();
    await change(taskId);
    try {
      expect(await deliver(n, tenantId)).toBe('skipped');
      expect((await notifications(w, tenantId))[0]).toMatchObject({ status: 'skipped', last_error: reason });
      expect(sink.messages).toHaveLength(0);
    } finally {
      await w.call({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: member.accessToken, payload: { dueSoon: true } });
    }
  });
});
