import { DIGEST_KINDS, SWEEP_KINDS } from '../../libs/reminders';
import type { Account } from '../harness/api';
import { query } from '../harness/database';
import { accounts, bootWorld, notifications, reminderTenant, setTask, summary, sweep, type World } from './setup';

let w: World;
let admin: Account;
let member: Account;
let auditor: Account;
let labels: Record<string, string>;

beforeAll(async () => {
  w = await bootWorld();
  [admin, member, auditor] = (await accounts(w, 3, 'digest')) as [Account, Account, Account];
  labels = { [admin.userId]: 'admin', [member.userId]: 'member', [auditor.userId]: 'auditor' };
});
afterAll(async () => w.close());

const digest = (now: string): Promise<unknown> => sweep(w, now, DIGEST_KINDS);

// 2026-03-30 is the Monday of ISO week 14; Paris is on CEST (UTC+2) since Mar 29.
describe('weekly digest', () => {
  it('Monday 08:00 in the tenant’s time zone: one per user with something open, listing their tasks', async () => {
    const [idle] = await accounts(w, 1, 'idle');
    const r = await reminderTenant(w, admin, {
      timezone: 'Europe/Paris',
      members: [
        [member, 'member'],
        [auditor, 'auditor'],
        [idle!, 'member'],
      ],
    });
    const mine = [r.tasks['PX-15']!, r.tasks['PX-17']!];
    const unassigned = r.tasks['PX-18']!;
    await setTask(w, mine[0]!, { dueDate: '2026-03-20', assigneeId: member.userId });
    await setTask(w, mine[1]!, { dueDate: '2026-06-30', assigneeId: member.userId, status: 'in_progress' });
    await setTask(w, unassigned, { dueDate: '2026-04-02' });
    // Closed or undated tasks are not listed.
    await setTask(w, r.tasks['PX-19']!, { dueDate: '2026-04-01', assigneeId: member.userId, status: 'approved' });

    await digest('2026-03-30T05:59:59Z');
    expect(await summary(w, r.tenantId, labels)).toEqual([]);
    await digest('2026-03-30T06:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['digest 2026-W14 admin -', 'digest 2026-W14 member -']);
    const rows = await notifications(w, r.tenantId);
    expect(rows.find((n) => n.recipient_id === member.userId)?.data.taskIds).toEqual(mine);
    expect(rows.find((n) => n.recipient_id === admin.userId)?.data.taskIds).toEqual([unassigned]);
    // Hourly runs later that day and that week add nothing.
    for (const at of ['2026-03-30T07:00:00Z', '2026-03-30T21:00:00Z', '2026-03-31T05:59:59Z']) await digest(at);
    expect(await notifications(w, r.tenantId)).toHaveLength(2);
    // The next week's.
    await digest('2026-04-06T06:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual([
      'digest 2026-W14 admin -',
      'digest 2026-W14 member -',
      'digest 2026-W15 admin -',
      'digest 2026-W15 member -',
    ]);
  });

  it('the tenant’s zone decides, not a zone one of its subscriptions was given at creation', async () => {
    const r = await reminderTenant(w, admin, { timezone: 'Europe/Paris', members: [[member, 'member']] });
    await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-04-20', assigneeId: member.userId });
    // As if created through the API with its own zone (POST …/subscriptions {timezone}).
    await query(w.t.db.adminUrl, "UPDATE subscription SET timezone = 'Asia/Tokyo' WHERE id = $1", [r.subscriptionId]);
    await digest('2026-03-29T23:00:00Z'); // Monday 08:00 in Tokyo, 01:00 in Paris
    expect(await summary(w, r.tenantId, labels)).toEqual([]);
    await digest('2026-03-30T06:00:00Z'); // Monday 08:00 in Paris
    expect(await summary(w, r.tenantId, labels)).toEqual(['digest 2026-W14 member -']);
  });

  it('catches up for a day when the Monday run was missed, not later', async () => {
    const r = await reminderTenant(w, admin, { timezone: 'Europe/Paris', members: [[member, 'member']] });
    await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-04-20', assigneeId: member.userId });
    await digest('2026-03-31T05:59:59Z'); // Tuesday 07:59:59 Paris
    expect(await summary(w, r.tenantId, labels)).toEqual(['digest 2026-W14 member -']);
    await digest('2026-04-07T06:00:00Z'); // Tuesday 08:00 Paris, a week later
    expect(await summary(w, r.tenantId, labels)).toEqual(['digest 2026-W14 member -']);
  });

  it('before the clocks change, 08:00 in Paris is 07:00Z', async () => {
    const r = await reminderTenant(w, admin, { timezone: 'Europe/Paris', members: [[member, 'member']] });
    await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-04-20', assigneeId: member.userId });
    await digest('2026-03-23T06:30:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual([]);
    await digest('2026-03-23T07:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['digest 2026-W13 member -']);
  });

  it('in the user’s own time zone when they set one', async () => {
    const [tokyo] = await accounts(w, 1, 'tokyo');
    labels[tokyo!.userId] = 'tokyo';
    await w.call({
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      token: tokyo!.accessToken,
      payload: { timezone: 'Asia/Tokyo' },
    });
    const r = await reminderTenant(w, admin, { timezone: 'America/New_York', members: [[tokyo!, 'member']] });
    await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-04-20', assigneeId: tokyo!.userId });
    // Monday 08:00 in Tokyo is Sunday 23:00Z.
    await digest('2026-03-29T22:59:59Z');
    expect(await summary(w, r.tenantId, labels)).toEqual([]);
    await digest('2026-03-29T23:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['digest 2026-W14 tokyo -']);
  });

  it('not for users who turned it off', async () => {
    const [quiet] = await accounts(w, 1, 'quiet');
    await w.call({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: quiet!.accessToken, payload: { digest: false } });
    const r = await reminderTenant(w, admin, { members: [[quiet!, 'member']] });
    await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-04-20', assigneeId: quiet!.userId });
    await digest('2026-03-30T09:00:00Z');
    expect(await notifications(w, r.tenantId)).toEqual([]);
  });
});

describe('no mail fatigue: the digest replaces that week’s due-soon mails for the tasks it lists', () => {
  it('due-soon mails are held on Monday morning until the digest is written, then skipped for what it lists', async () => {
    const [m] = await accounts(w, 1, 'fatigue');
    labels[m!.userId] = 'm';
    const r = await reminderTenant(w, admin, { timezone: 'Europe/Paris', members: [[m!, 'member']] });
    const [listed, later] = [r.tasks['PX-15']!, r.tasks['PX-17']!];
    labels[listed] = 'listed';
    labels[later] = 'later';
    await setTask(w, listed, { dueDate: '2026-04-02', assigneeId: m!.userId });

    // Monday 08:30 Paris: the digest is due and not written yet, so the due-soon mail waits.
    await sweep(w, '2026-03-30T06:30:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual([]);
    await digest('2026-03-30T07:00:00Z');
    // Every later sweep of the week skips it: d7 on Monday, d1 on Wednesday.
    for (const at of ['2026-03-30T07:15:00Z', '2026-03-31T12:00:00Z', '2026-04-01T12:00:00Z']) await sweep(w, at);
    expect(await summary(w, r.tenantId, labels)).toEqual(['digest 2026-W14 m -']);

    // A task given to them after the digest is not in it: its due-soon mail goes out.
    await setTask(w, later, { dueDate: '2026-04-03', assigneeId: m!.userId });
    await sweep(w, '2026-04-01T12:15:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['digest 2026-W14 m -', 'due_soon d7 m later']);
    // Overdue mails are not replaced.
    await sweep(w, '2026-04-03T12:00:00Z', SWEEP_KINDS);
    expect(await summary(w, r.tenantId, labels)).toEqual([
      'digest 2026-W14 m -',
      'due_soon d1 m later',
      'due_soon d7 m later',
      'overdue w0 m listed',
    ]);
  });

  it('without a digest (turned off), the due-soon mails go out as usual, Monday included', async () => {
    const [nodigest] = await accounts(w, 1, 'nodigest');
    labels[nodigest!.userId] = 'nodigest';
    await w.call({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: nodigest!.accessToken, payload: { digest: false } });
    const r = await reminderTenant(w, admin, { timezone: 'Europe/Paris', members: [[nodigest!, 'member']] });
    labels[r.tasks['PX-15']!] = 'T';
    await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-04-02', assigneeId: nodigest!.userId });
    await digest('2026-03-30T06:30:00Z');
    await sweep(w, '2026-03-30T06:30:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d7 nodigest T']);
  });

  it('held mails are released once the catch-up day is over, even if no digest was ever written', async () => {
    const [late] = await accounts(w, 1, 'late');
    labels[late!.userId] = 'late';
    const r = await reminderTenant(w, admin, { timezone: 'Europe/Paris', members: [[late!, 'member']] });
    labels[r.tasks['PX-15']!] = 'T';
    await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-04-05', assigneeId: late!.userId });
    await sweep(w, '2026-03-31T05:59:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual([]);
    await sweep(w, '2026-03-31T06:00:00Z');
    expect(await summary(w, r.tenantId, labels)).toEqual(['due_soon d7 late T']);
  });
});
