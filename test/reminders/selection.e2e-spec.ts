import type { Account } from '../harness/api';
import { addMember } from '../harness/api';
import { query } from '../harness/database';
import {
  accounts,
  bootWorld,
  jobCount,
  notifications,
  reminderTenant,
  setReminderSettings,
  setTask,
  summary,
  sweep,
  type World,
} from './setup';

let w: World;
let admin: Account;
let admin2: Account;
let member: Account;
let auditor: Account;
let viewer: Account;
let labels: Record<string, string>;

beforeAll(async () => {
  w = await bootWorld();
  [admin, admin2, member, auditor, viewer] = (await accounts(w, 5)) as [Account, Account, Account, Account, Account];
  labels = {
    [admin.userId]: 'admin',
    [admin2.userId]: 'admin2',
    [member.userId]: 'member',
    [auditor.userId]: 'auditor',
    [viewer.userId]: 'viewer',
  };
});
afterAll(async () => w.close());

const everyone = (): [Account, 'admin' | 'member' | 'auditor' | 'viewer'][] => [
  [admin2, 'admin'],
  [member, 'member'],
  [auditor, 'auditor'],
  [viewer, 'viewer'],
];

describe('due soon', () => {
  it('mails the assignee 7 days and 1 day before the due date, each once', async () => {
    const r = await reminderTenant(w, admin, { members: everyone() });
    const task = r.tasks['PX-15']!;
    labels[task] = 'PX-15';
    await setTask(w, task, { dueDate: '2026-04-10', assigneeId: member.userId });

    await sweep(w, '2026-04-02T12:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual([]);
    await sweep(w, '2026-04-03T12:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d7 member PX-15']);
    // Later sweeps in the same window add nothing.
    for (const day of ['2026-04-03T18:00:00Z', '2026-04-05T12:00:00Z', '2026-04-08T23:59:59Z']) await sweep(w, day);
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d7 member PX-15']);
    await sweep(w, '2026-04-09T00:00:00Z');
    await sweep(w, '2026-04-10T12:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d1 member PX-15', 'due_soon d7 member PX-15']);
    const rows = await notifications(w, r.tenantId);
    expect(rows.every((n) => n.status === 'queued' && n.data.dueDate === '2026-04-10')).toBe(true);
    // One job per notification, written with it.
    expect(
      await jobCount(
        w,
        rows.map((n) => n.id),
      ),
    ).toBe(2);
  });

  it('a missed sweep still mails each offset once (the smallest offset not below the days left)', async () => {
    const r = await reminderTenant(w, admin, { members: everyone() });
    const task = r.tasks['PX-15']!;
    labels[task] = 'T';
    await setTask(w, task, { dueDate: '2026-04-10', assigneeId: member.userId });
    // The worker was down from 7 days before until 4 days before.
    await sweep(w, '2026-04-06T12:00:00Z');
    await sweep(w, '2026-04-07T12:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d7 member T']);
    await sweep(w, '2026-04-10T08:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d1 member T', 'due_soon d7 member T']);
  });

  it('unassigned: every active admin, never auditors, viewers or expired admins', async () => {
    const [expired] = await accounts(w, 1, 'expired');
    labels[expired!.userId] = 'expired';
    const r = await reminderTenant(w, admin, { members: everyone() });
    await addMember(w.t.db.adminUrl, r.tenantId, expired!.userId, 'admin', new Date('2026-01-01T00:00:00Z'));
    const task = r.tasks['PX-15']!;
    labels[task] = 'T';
    await setTask(w, task, { dueDate: '2026-04-10' });
    await sweep(w, '2026-04-03T12:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d7 admin T', 'due_soon d7 admin2 T']);
  });

  it('an assignee who left the tenant, or is only an auditor, counts as unassigned', async () => {
    const r = await reminderTenant(w, admin, { members: everyone() });
    const [left, audited] = [r.tasks['PX-15']!, r.tasks['PX-11']!];
    labels[left] = 'left';
    labels[audited] = 'audited';
    await setTask(w, left, { dueDate: '2026-04-10', assigneeId: member.userId });
    await setTask(w, audited, { dueDate: '2026-04-10', assigneeId: auditor.userId });
    await query(w.t.db.adminUrl, 'DELETE FROM membership WHERE tenant_id = $1 AND user_id = $2', [r.tenantId, member.userId]);
    await sweep(w, '2026-04-03T12:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual([
      'due_soon d7 admin audited',
      'due_soon d7 admin left',
      'due_soon d7 admin2 audited',
      'due_soon d7 admin2 left',
    ]);
  });

  it('closed tasks get nothing; a rejected one is still open', async () => {
    const r = await reminderTenant(w, admin, { members: everyone() });
    const statuses = {
      'PX-15': 'done',
      'PX-11': 'approved',
      'PX-17': 'not_applicable',
      'PX-18': 'rejected',
      'PX-19': 'in_progress',
    } as const;
    for (const [key, status] of Object.entries(statuses)) {
      labels[r.tasks[key]!] = key;
      await setTask(w, r.tasks[key]!, { dueDate: '2026-04-10', assigneeId: member.userId, status });
    }
    await sweep(w, '2026-04-03T12:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d7 member PX-18', 'due_soon d7 member PX-19']);
  });

  it('follows the tenant’s offsets', async () => {
    const r = await reminderTenant(w, admin, { members: everyone() });
    await setReminderSettings(w, r.tenantId, { reminderDays: [14, 3, 0] });
    const task = r.tasks['PX-15']!;
    labels[task] = 'T';
    await setTask(w, task, { dueDate: '2026-04-22', assigneeId: member.userId });
    for (const day of ['2026-04-07', '2026-04-08', '2026-04-18', '2026-04-19', '2026-04-21', '2026-04-22'])
      await sweep(w, `${day}T12:00:00Z`);
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d0 member T', 'due_soon d14 member T', 'due_soon d3 member T']);
  });

  it('no offsets, no due-soon mail; the overdue ones still go', async () => {
    const r = await reminderTenant(w, admin, { members: everyone() });
    await setReminderSettings(w, r.tenantId, { reminderDays: [] });
    const task = r.tasks['PX-15']!;
    labels[task] = 'T';
    await setTask(w, task, { dueDate: '2026-04-10', assigneeId: member.userId });
    for (const day of ['2026-04-03', '2026-04-09', '2026-04-10', '2026-04-11']) await sweep(w, `${day}T12:00:00Z`);
    expect(await summary(w, r.tenantId, labels)).toEqual(['overdue w0 member T']);
  });
});

describe('overdue and escalation', () => {
  it('the day after the due date, then weekly; escalated to the admins after 7 days, once', async () => {
    const r = await reminderTenant(w, admin, { members: everyone() });
    const task = r.tasks['PX-15']!;
    labels[task] = 'T';
    await setTask(w, task, { dueDate: '2026-04-10', assigneeId: member.userId });
    await sweep(w, '2026-04-10T23:59:59Z');
    expect((await summary(w, r.tenantId, labels)).filter((s) => !s.startsWith('due_soon'))).toEqual([]);
    await sweep(w, '2026-04-11T00:00:00Z');
    for (const day of ['2026-04-12', '2026-04-16']) await sweep(w, `${day}T12:00:00Z`);
    expect((await summary(w, r.tenantId, labels)).filter((s) => !s.startsWith('due_soon'))).toEqual(['overdue w0 member T']);
    // 7 days overdue: escalation to every admin; the weekly reminder comes on day 8.
    await sweep(w, '2026-04-17T12:00:00Z');
    expect((await summary(w, r.tenantId, labels)).filter((s) => !s.startsWith('due_soon'))).toEqual([
      'escalation esc admin T',
      'escalation esc admin2 T',
      'overdue w0 member T',
    ]);
    for (const day of ['2026-04-18', '2026-04-24', '2026-04-25', '2026-05-30']) await sweep(w, `${day}T12:00:00Z`);
    expect((await summary(w, r.tenantId, labels)).filter((s) => !s.startsWith('due_soon'))).toEqual([
      'escalation esc admin T',
      'escalation esc admin2 T',
      'overdue w0 member T',
      'overdue w1 member T',
      'overdue w2 member T',
      'overdue w7 member T',
    ]);
    const esc = (await notifications(w, r.tenantId)).find((n) => n.kind === 'escalation');
    // The escalation names the assignee.
    expect(esc?.data).toEqual({ dueDate: '2026-04-10', assigneeId: member.userId });
  });

  it('follows the tenant’s escalation threshold; unassigned overdue tasks go to the admins', async () => {
    const r = await reminderTenant(w, admin, { members: everyone() });
    await setReminderSettings(w, r.tenantId, { escalationDays: 2 });
    const task = r.tasks['PX-15']!;
    labels[task] = 'T';
    await setTask(w, task, { dueDate: '2026-04-10' });
    await sweep(w, '2026-04-11T12:00:00Z', ['overdue', 'escalation']);
    expect(await summary(w, r.tenantId, labels)).toEqual(['overdue w0 admin T', 'overdue w0 admin2 T']);
    await sweep(w, '2026-04-12T12:00:00Z', ['overdue', 'escalation']);
    expect(await summary(w, r.tenantId, labels)).toEqual([
      'escalation esc admin T',
      'escalation esc admin2 T',
      'overdue w0 admin T',
      'overdue w0 admin2 T',
    ]);
  });

  it('respects preferences; admins get escalations unless they turned exactly those off', async () => {
    const [pm, pa] = await accounts(w, 2, 'prefs');
    labels[pm!.userId] = 'pm';
    labels[pa!.userId] = 'pa';
    const r = await reminderTenant(w, admin, {
      members: [
        [pm!, 'member'],
        [pa!, 'admin'],
      ],
    });
    const [t1, t2] = [r.tasks['PX-15']!, r.tasks['PX-11']!];
    labels[t1] = 't1';
    labels[t2] = 't2';
    await setTask(w, t1, { dueDate: '2026-04-10', assigneeId: pm!.userId });
    await setTask(w, t2, { dueDate: '2026-04-20', assigneeId: pm!.userId });
    const put = (a: Account, payload: object): Promise<unknown> =>
      w.call({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: a.accessToken, payload });
    await put(pm!, { overdue: false });
    // pa turns off due-soon and overdue, not escalation: still escalated to.
    await put(pa!, { dueSoon: false, overdue: false });
    await sweep(w, '2026-04-17T12:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d7 pm t2', 'escalation esc admin t1', 'escalation esc pa t1']);
    await put(pa!, { escalation: false });
    await setTask(w, r.tasks['PX-17']!, { dueDate: '2026-04-01' });
    labels[r.tasks['PX-17']!] = 't3';
    await sweep(w, '2026-04-17T13:00:00Z');
    expect((await summary(w, r.tenantId, labels)).filter((s) => s.includes('t3'))).toEqual([
      'escalation esc admin t3',
      'overdue w2 admin t3',
    ]);
  });
});

describe('"today" is the subscription’s day', () => {
  it('midnight in Pacific/Kiritimati (UTC+14) and America/Adak (UTC-10/-9) at the same instant', async () => {
    const kiri = await reminderTenant(w, admin, { timezone: 'Pacific/Kiritimati', members: everyone() });
    const adak = await reminderTenant(w, admin, { timezone: 'America/Adak', members: everyone() });
    for (const r of [kiri, adak]) {
      // Only on the due date itself.
      await setReminderSettings(w, r.tenantId, { reminderDays: [0] });
      await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-01-16', assigneeId: member.userId });
      await setTask(w, r.tasks['PX-11']!, { dueDate: '2026-07-10', assigneeId: member.userId });
      labels[r.tasks['PX-15']!] = 'jan16';
      labels[r.tasks['PX-11']!] = 'jul10';
    }
    // 09:59:59Z: 23:59:59 on Jan 15 in Kiritimati, 23:59:59 on Jan 14 in Adak.
    await sweep(w, '2026-01-15T09:59:59Z');
    expect(await summary(w, kiri.tenantId, labels)).toEqual([]);
    // 10:00Z: midnight of Jan 16 in Kiritimati; still Jan 15 in Adak.
    await sweep(w, '2026-01-15T10:00:00Z');
    expect(await summary(w, kiri.tenantId, labels)).toEqual(['due_soon d0 member jan16']);
    expect(await summary(w, adak.tenantId, labels)).toEqual([]);
    await sweep(w, '2026-01-16T09:59:59Z');
    expect(await summary(w, adak.tenantId, labels)).toEqual([]);
    // Midnight in Adak (HST, UTC-10): due today there; already overdue in Kiritimati.
    await sweep(w, '2026-01-16T10:00:00Z');
    expect(await summary(w, adak.tenantId, labels)).toEqual(['due_soon d0 member jan16']);
    expect(await summary(w, kiri.tenantId, labels)).toEqual(['due_soon d0 member jan16', 'overdue w0 member jan16']);
    // Summer: Adak is on HDT (UTC-9), so its midnight is an hour earlier in UTC.
    await sweep(w, '2026-07-10T08:59:59Z');
    expect((await summary(w, adak.tenantId, labels)).filter((s) => s.includes('jul10'))).toEqual([]);
    await sweep(w, '2026-07-10T09:00:00Z');
    expect((await summary(w, adak.tenantId, labels)).filter((s) => s.includes('jul10'))).toEqual(['due_soon d0 member jul10']);
  });

  it('across the DST changes of Europe/Paris', async () => {
    const r = await reminderTenant(w, admin, { timezone: 'Europe/Paris', members: everyone() });
    await setReminderSettings(w, r.tenantId, { reminderDays: [0] });
    await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-03-30', assigneeId: member.userId });
    await setTask(w, r.tasks['PX-11']!, { dueDate: '2026-10-26', assigneeId: member.userId });
    labels[r.tasks['PX-15']!] = 'mar30';
    labels[r.tasks['PX-11']!] = 'oct26';
    // Clocks went forward on Mar 29: midnight of Mar 30 is 22:00Z (CEST, UTC+2).
    await sweep(w, '2026-03-29T21:59:59Z');
    expect(await summary(w, r.tenantId, labels)).toEqual([]);
    await sweep(w, '2026-03-29T22:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d0 member mar30']);
    // Clocks went back on Oct 25: midnight of Oct 26 is 23:00Z (CET, UTC+1), not 22:00Z.
    await sweep(w, '2026-10-25T22:00:00Z');
    expect((await summary(w, r.tenantId, labels)).filter((s) => s.includes('oct26'))).toEqual([]);
    await sweep(w, '2026-10-25T22:59:59Z');
    expect((await summary(w, r.tenantId, labels)).filter((s) => s.includes('oct26'))).toEqual([]);
    await sweep(w, '2026-10-25T23:00:00Z');
    expect((await summary(w, r.tenantId, labels)).filter((s) => s.includes('oct26'))).toEqual(['due_soon d0 member oct26']);
  });

  it('at month ends, in a common and in a leap year', async () => {
    const r = await reminderTenant(w, admin, { members: everyone() });
    await setReminderSettings(w, r.tenantId, { reminderDays: [1] });
    await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-03-01', assigneeId: member.userId });
    await setTask(w, r.tasks['PX-11']!, { dueDate: '2028-03-01', assigneeId: member.userId });
    await setTask(w, r.tasks['PX-17']!, { dueDate: '2026-01-31', assigneeId: member.userId });
    labels[r.tasks['PX-15']!] = 'mar1-2026';
    labels[r.tasks['PX-11']!] = 'mar1-2028';
    labels[r.tasks['PX-17']!] = 'jan31';
    // Jan 31 is due: overdue from Feb 1, weekly from Feb 8.
    for (const day of ['2026-01-31', '2026-02-01', '2026-02-07', '2026-02-08']) await sweep(w, `${day}T12:00:00Z`, ['overdue']);
    // Feb 28, 2026 is the day before Mar 1 (no Feb 29 that year).
    await sweep(w, '2026-02-27T12:00:00Z', ['due_soon']);
    expect((await summary(w, r.tenantId, labels)).filter((s) => s.includes('mar1-2026'))).toEqual([]);
    await sweep(w, '2026-02-28T12:00:00Z', ['due_soon']);
    // 2028 has a Feb 29: Feb 28 is two days before.
    await sweep(w, '2028-02-28T12:00:00Z', ['due_soon']);
    expect((await summary(w, r.tenantId, labels)).filter((s) => s.includes('mar1-2028'))).toEqual([]);
    await sweep(w, '2028-02-29T12:00:00Z', ['due_soon']);
    expect(await summary(w, r.tenantId, labels)).toEqual([
      'due_soon d1 member mar1-2026',
      'due_soon d1 member mar1-2028',
      'overdue w0 member jan31',
      'overdue w1 member jan31',
    ]);
  });
});

describe('exactly once across sweeps', () => {
  it('two sweeps at once write every notification once, each with one job', async () => {
    const r = await reminderTenant(w, admin, { members: everyone() });
    const keys = ['PX-15', 'PX-11', 'PX-17', 'PX-18', 'PX-19'];
    for (const [i, key] of keys.entries())
      await setTask(w, r.tasks[key]!, { dueDate: `2026-05-0${i + 3}`, assigneeId: i % 2 ? member.userId : null });
    // A Wednesday: no digest is due, so due-soon mails are not held for one.
    const now = '2026-05-06T12:00:00Z';
    const results = await Promise.all([sweep(w, now), sweep(w, now), sweep(w, now)]);
    const rows = await notifications(w, r.tenantId);
    expect(rows.length).toBeGreaterThan(5);
    // The sweeps share the rows out between them; together they wrote each one once, and queued
    // one job entry per mail: a notification of its own or the lead of a summary (whose rows go
    // with it).
    const mails = rows.filter((n) => n.summary_id === null || n.summary_id === n.id);
    expect(mails.length).toBeLessThan(rows.length);
    const mine = results.reduce((n, x) => n + x.queued, 0);
    const [all] = await query<{ n: number }>(
      w.t.db.adminUrl,
      `SELECT count(*)::int AS n FROM notification
        WHERE created_at = $1 AND status = 'queued' AND (summary_id IS NULL OR summary_id = id)`,
      [now],
    );
    expect(mine).toBe(all!.n);
    expect(
      await jobCount(
        w,
        mails.map((n) => n.id),
      ),
    ).toBe(mails.length);
    // Every row of a summary has a lead that exists.
    const ids = new Set(rows.map((n) => n.id));
    expect(rows.every((n) => n.summary_id === null || ids.has(n.summary_id))).toBe(true);
    const keysOf = rows.map((n) => `${n.recipient_id} ${n.task_id ?? ''} ${n.kind} ${n.window}`);
    expect(new Set(keysOf).size).toBe(rows.length);
    // Run again: nothing new.
    expect((await sweep(w, now)).queued).toBe(0);
  });
});
