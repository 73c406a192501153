import { composeReminder, DIGEST_LIST_MAX, type ReminderEnvelope } from './compose';

const HOSTILE = `<b onmouseover="x()">Acme</b> & 'Co'\r\nBcc: evil@example.com`;

const envelope: ReminderEnvelope = {
  notificationId: '11111111-1111-4111-8111-111111111111',
  tenantId: '22222222-2222-4222-8222-222222222222',
  tenantName: HOSTILE,
  recipient: { name: '<i>Ada</i>', email: 'ada@example.com' },
  timeZone: 'Pacific/Kiritimati',
  publicUrl: 'https://duty.example.com',
  unsubscribeToken: 'tok.en_-x',
};
const task = { id: '33333333-3333-4333-8333-333333333333', title: 'Back up <mailboxes> & "archives"', key: 'PX-17', dueDate: '2026-03-31' };

describe('composeReminder', () => {
  it('due soon: subject says what and when, on one line; headers for threading and one-click unsubscribe', () => {
    const mail = composeReminder(envelope, { kind: 'due_soon', task, daysLeft: 7 });
    expect(mail.to).toBe('ada@example.com');
    expect(mail.subject).toBe(
      `Due in 7 days (Tue 31 Mar 2026): Back up <mailboxes> & "archives" — <b onmouseover="x()">Acme</b> & 'Co' Bcc: evil@example.com`,
    );
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.headers).toEqual({
      'Message-ID': '<11111111-1111-4111-8111-111111111111@dutybook>',
      'List-Unsubscribe': '<https://duty.example.com/api/v1/notifications/unsubscribe?token=tok.en_-x>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
      'X-Dutybook-Kind': 'due_soon',
    });
  });

  it.each([
    [0, 'Due today (Tue 31 Mar 2026)'],
    [1, 'Due tomorrow (Tue 31 Mar 2026)'],
    [2, 'Due in 2 days (Tue 31 Mar 2026)'],
  ])('%i days left: %s', (daysLeft, start) => {
    expect(composeReminder(envelope, { kind: 'due_soon', task, daysLeft }).subject.startsWith(`${start}: `)).toBe(true);
  });

  it('both parts; user text never becomes markup; the task link and the time zone are there', () => {
    const mail = composeReminder(envelope, {
      kind: 'review_rejected',
      task,
      comment: '<script>steal()</script>\nsecond line',
      reviewer: '<u>Rev</u>',
      rejectedOn: '2026-03-30',
    });
    expect(mail.html).not.toMatch(/<script|<b |<i>|<u>/);
    expect(mail.html).toContain('&lt;script&gt;steal()&lt;/script&gt;<br>second line');
    expect(mail.html).toContain('&lt;b onmouseover=&quot;x()&quot;&gt;Acme&lt;/b&gt; &amp; &#39;Co&#39;');
    expect(mail.html).toContain(`href="https://duty.example.com/tenants/${envelope.tenantId}/tasks/${task.id}"`);
    expect(mail.text).toContain('Their comment:\n<script>steal()</script>\nsecond line');
    expect(mail.text).toContain(`Open the task: https://duty.example.com/tenants/${envelope.tenantId}/tasks/${task.id}`);
    expect(mail.text).toContain('Pacific/Kiritimati');
    expect(mail.text).toContain(
      'To stop notices of rejected reviews, open https://duty.example.com/api/v1/notifications/unsubscribe?token=tok.en_-x',
    );
    expect(mail.subject).toMatch(/^Rejected on Mon 30 Mar 2026: /);
  });

  it('escalation names the assignee, or says nobody is', () => {
    const named = composeReminder(envelope, {
      kind: 'escalation',
      task,
      daysOverdue: 7,
      assignee: { name: 'Bob', email: 'bob@example.com' },
    });
    expect(named.subject).toMatch(/^Escalation: overdue by 7 days \(due Tue 31 Mar 2026\), assigned to Bob: /);
    expect(named.text).toContain('It is assigned to Bob <bob@example.com>.');
    const nobody = composeReminder(envelope, { kind: 'escalation', task, daysOverdue: 8, assignee: null });
    expect(nobody.subject).toMatch(/^Escalation: overdue by 8 days \(due Tue 31 Mar 2026\), unassigned: /);
  });

  it('digest: counts in the subject, sections in the body, long lists cut', () => {
    const item = (i: number, daysLeft: number): { id: string; title: string; key: string; dueDate: string; daysLeft: number } => ({
      ...task,
      id: `t${i}`,
      key: `PX-${i}`,
      daysLeft,
    });
    const overdue = Array.from({ length: DIGEST_LIST_MAX + 3 }, (_v, i) => item(i, -1 - i));
    const mail = composeReminder(envelope, {
      kind: 'digest',
      week: '2026-W14',
      dueSoonDays: 7,
      overdue,
      dueSoon: [item(100, 2)],
      open: [],
    });
    expect(mail.subject).toMatch(/^Weekly digest for the week of Mon 30 Mar 2026: 23 overdue, 1 due soon, 0 open — /);
    expect(mail.text).toContain('Overdue (23):\n• PX-0 ');
    expect(mail.text).toContain('… and 3 more');
    expect(mail.text).toContain('Due in the next 7 days (1):\n• PX-100 ');
    expect(mail.text).not.toContain('Open, due later');
    expect(mail.html).not.toContain('<mailboxes>');
  });
});

describe('composeReminder: names typed by people', () => {
  // Any C0/DEL/C1 control but the LF of a line break, and the bidi overrides and isolates.
  const FORBIDDEN = /[^\P{Cc}\n]|[\u202A-\u202E\u2066-\u2069]/u;
  const NASTY = 'Mallory\r\nX-Evil: 1\u202Egnp.exe\u2066\u0085\u0007';
  const nastyEnvelope: ReminderEnvelope = { ...envelope, tenantName: NASTY, recipient: { name: NASTY, email: 'ada@example.com' } };
  const nastyTask = { ...task, title: NASTY };
  it.each([
    { kind: 'due_soon', task: nastyTask, daysLeft: 3 } as const,
    { kind: 'overdue', task: nastyTask, daysOverdue: 3 } as const,
    { kind: 'escalation', task: nastyTask, daysOverdue: 3, assignee: { name: NASTY, email: 'bob@example.com' } } as const,
    {
      kind: 'review_rejected',
      task: nastyTask,
      comment: 'Line one\r\nLine two\u202E\u0007',
      reviewer: NASTY,
      rejectedOn: '2026-03-30',
    } as const,
    {
      kind: 'digest',
      week: '2026-W14',
      dueSoonDays: 7,
      overdue: [{ ...nastyTask, daysLeft: -2 }],
      dueSoon: [],
      open: [],
    } as const,
  ])('$kind: no control character in the subject, the text or the HTML; names stay on one line', (content) => {
    const mail = composeReminder(nastyEnvelope, content);
    expect(mail.subject).not.toMatch(FORBIDDEN);
    expect(mail.subject).not.toMatch(/\n/);
    expect(mail.text).not.toMatch(FORBIDDEN);
    expect(mail.html).not.toMatch(FORBIDDEN);
    expect(mail.text).toContain('Hello Mallory X-Evil: 1gnp.exe,');
    expect(mail.text).not.toMatch(/^X-Evil/m);
  });
});
