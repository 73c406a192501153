import { mailName, mailText, renderMail, type OutgoingMail } from '../notify';
import { dayCount, formatDay, isoWeekMonday } from './dates';
import type { NotificationKind } from './reminder.types';

export interface Person {
  readonly name: string;
  readonly email: string;
}

export interface TaskRef {
  readonly id: string;
  readonly title: string;
  /** Activity key, e.g. `PX-15`. */
  readonly key: string;
  readonly dueDate: string;
}

export interface DigestItem extends TaskRef {
  /** Negative when overdue. */
  readonly daysLeft: number;
}

type DueSoonContent = { readonly kind: 'due_soon'; readonly task: TaskRef; readonly daysLeft: number };
type OverdueContent = { readonly kind: 'overdue'; readonly task: TaskRef; readonly daysOverdue: number };
type EscalationContent = {
  readonly kind: 'escalation';
  readonly task: TaskRef;
  readonly daysOverdue: number;
  readonly assignee: Person | null;
};
/** One item of a summary mail. */
export type TaskReminder = DueSoonContent | OverdueContent | EscalationContent;

export type ReminderContent =
  | DueSoonContent
  | OverdueContent
  | EscalationContent
  | {
      /** Several task reminders to one person in one sweep, as one mail (docs/reminders.md). */
      readonly kind: 'summary';
      readonly items: readonly TaskReminder[];
      /** The kind its one-click unsubscribe turns off: the first item's. */
      readonly unsubscribeKind: NotificationKind;
    }
  | {
      readonly kind: 'review_rejected';
      readonly task: TaskRef;
      readonly comment: string;
      readonly reviewer: string;
      readonly rejectedOn: string;
    }
  | {
      readonly kind: 'digest';
      /** ISO week, e.g. `2026-W14`. */
      readonly week: string;
      readonly dueSoonDays: number;
      readonly overdue: readonly DigestItem[];
      readonly dueSoon: readonly DigestItem[];
      readonly open: readonly DigestItem[];
    };

export interface ReminderEnvelope {
  readonly notificationId: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly recipient: Person;
  /** The time zone "today" and the dates were reckoned in. */
  readonly timeZone: string;
  readonly publicUrl: string;
  readonly unsubscribeToken: string;
}

/** Items listed per digest section; the rest are counted. */
export const DIGEST_LIST_MAX = 20;
/** Items listed in a summary mail (each with its link); the rest are counted. */
export const SUMMARY_LIST_MAX = 50;
const SUBJECT_TITLE_MAX = 80;

/** Subjects are one line: names never add header lines, and long titles are cut. */
function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

function dueIn(days: number): string {
  if (days === 0) return 'Due today';
  if (days === 1) return 'Due tomorrow';
  return `Due in ${dayCount(days)}`;
}

const KIND_LABEL: Readonly<Record<NotificationKind, string>> = {
  due_soon: 'due-soon reminders',
  overdue: 'overdue reminders',
  escalation: 'escalations of overdue duties',
  digest: 'the weekly digest',
  review_rejected: 'notices of rejected reviews',
};

export const taskUrl = (publicUrl: string, tenantId: string, taskId: string): string => `${publicUrl}/tenants/${tenantId}/tasks/${taskId}`;
export const unsubscribeUrl = (publicUrl: string, token: string): string =>
  `${publicUrl}/api/v1/notifications/unsubscribe?token=${encodeURIComponent(token)}`;
/** Deterministic, so a mail sent again after a crash can be recognised as the same message. */
export const messageIdOf = (notificationId: string): string => `<${notificationId}@dutybook>`;

function digestLines(items: readonly DigestItem[], describe: (i: DigestItem) => string): string {
  const shown = items.slice(0, DIGEST_LIST_MAX).map((i) => `• ${i.key} ${oneLine(i.title, 200)}: ${describe(i)}`);
  if (items.length > DIGEST_LIST_MAX) shown.push(`… and ${items.length - DIGEST_LIST_MAX} more`);
  return shown.join('\n');
}

/** Names, titles and comments were typed by people: no control character of theirs reaches a mail (libs/notify/mail-text.ts). */
function cleanEnvelope(e: ReminderEnvelope): ReminderEnvelope {
  return { ...e, tenantName: mailName(e.tenantName), recipient: { ...e.recipient, name: mailName(e.recipient.name) } };
}

function cleanTask<T extends TaskRef>(t: T): T {
  return { ...t, title: mailName(t.title), key: mailName(t.key) };
}

function cleanContent(c: ReminderContent): ReminderContent {
  switch (c.kind) {
    case 'due_soon':
    case 'overdue':
      return { ...c, task: cleanTask(c.task) };
    case 'escalation':
      return { ...c, task: cleanTask(c.task), assignee: c.assignee && { ...c.assignee, name: mailName(c.assignee.name) } };
    case 'review_rejected':
      return { ...c, task: cleanTask(c.task), reviewer: mailName(c.reviewer), comment: mailText(c.comment) };
    case 'digest':
      return { ...c, overdue: c.overdue.map(cleanTask), dueSoon: c.dueSoon.map(cleanTask), open: c.open.map(cleanTask) };
    case 'summary':
      return { ...c, items: c.items.map((item) => cleanContent(item) as TaskReminder) };
  }
}

function summaryLine(item: TaskReminder, publicUrl: string, tenantId: string): string {
  const t = item.task;
  let when: string;
  if (item.kind === 'due_soon') when = `${dueIn(item.daysLeft)} (${formatDay(t.dueDate)})`;
  else if (item.kind === 'overdue') when = `Overdue by ${dayCount(item.daysOverdue)} (due ${formatDay(t.dueDate)})`;
  else {
    const who = item.assignee ? `assigned to ${oneLine(item.assignee.name, 60)}` : 'unassigned';
    when = `Escalation: overdue by ${dayCount(item.daysOverdue)} (due ${formatDay(t.dueDate)}), ${who}`;
  }
  return `• ${when}: ${t.key} ${oneLine(t.title, 200)}\n  ${taskUrl(publicUrl, tenantId, t.id)}`;
}

/**
 * The mail for one notification: subject saying what and when, HTML (escaped by renderMail)
 * and plain text, a link to the task, and one-click unsubscribe headers (RFC 8058).
 */
export function composeReminder(rawEnvelope: ReminderEnvelope, rawContent: ReminderContent): OutgoingMail {
  const envelope = cleanEnvelope(rawEnvelope);
  const content = cleanContent(rawContent);
  const tenant = oneLine(envelope.tenantName, 60);
  const greeting = `Hello ${envelope.recipient.name},`;
  let subject: string;
  let title: string;
  let paragraphs: string[];
  let action: { label: string; url: string };
  let why: string;

  switch (content.kind) {
    case 'due_soon': {
      const t = content.task;
      const when = `${dueIn(content.daysLeft)} (${formatDay(t.dueDate)})`;
      subject = `${when}: ${oneLine(t.title, SUBJECT_TITLE_MAX)} — ${tenant}`;
      title = `${when}: ${t.key}`;
      paragraphs = [
        greeting,
        `This duty of ${envelope.tenantName} falls due on ${formatDay(t.dueDate)}:`,
        `${t.key}: ${t.title}`,
        'Attach the evidence and mark it complete before then.',
      ];
      action = { label: 'Open the task', url: taskUrl(envelope.publicUrl, envelope.tenantId, t.id) };
      why = 'the task is assigned to you (or, unassigned, you are an admin of the organisation)';
      break;
    }
    case 'overdue': {
      const t = content.task;
      const when = `Overdue by ${dayCount(content.daysOverdue)} (due ${formatDay(t.dueDate)})`;
      subject = `${when}: ${oneLine(t.title, SUBJECT_TITLE_MAX)} — ${tenant}`;
      title = `${when}: ${t.key}`;
      paragraphs = [
        greeting,
        `This duty of ${envelope.tenantName} was due on ${formatDay(t.dueDate)} and is still open:`,
        `${t.key}: ${t.title}`,
        'You will be reminded weekly while it stays open.',
      ];
      action = { label: 'Open the task', url: taskUrl(envelope.publicUrl, envelope.tenantId, t.id) };
      why = 'the task is assigned to you (or, unassigned, you are an admin of the organisation)';
      break;
    }
    case 'escalation': {
      const t = content.task;
      const who = content.assignee ? `assigned to ${oneLine(content.assignee.name, 60)}` : 'unassigned';
      const when = `overdue by ${dayCount(content.daysOverdue)} (due ${formatDay(t.dueDate)})`;
      subject = `Escalation: ${when}, ${who}: ${oneLine(t.title, SUBJECT_TITLE_MAX)} — ${tenant}`;
      title = `Escalation: ${t.key} is ${when}`;
      paragraphs = [
        greeting,
        `As an admin of ${envelope.tenantName} (accountable for its duties), you are told that this duty is ${when}:`,
        `${t.key}: ${t.title}`,
        content.assignee ? `It is assigned to ${content.assignee.name} <${content.assignee.email}>.` : 'Nobody is assigned to it.',
      ];
      action = { label: 'Open the task', url: taskUrl(envelope.publicUrl, envelope.tenantId, t.id) };
      why = 'you are an admin of the organisation';
      break;
    }
    case 'review_rejected': {
      const t = content.task;
      subject = `Rejected on ${formatDay(content.rejectedOn)}: ${oneLine(t.title, SUBJECT_TITLE_MAX)} — ${tenant}`;
      title = `Evidence rejected: ${t.key}`;
      paragraphs = [
        greeting,
        `${content.reviewer} rejected the completion of this duty of ${envelope.tenantName} on ${formatDay(content.rejectedOn)}:`,
        `${t.key}: ${t.title}`,
        `Their comment:\n${content.comment}`,
        'Add the missing evidence and complete the task again.',
      ];
      action = { label: 'Open the task', url: taskUrl(envelope.publicUrl, envelope.tenantId, t.id) };
      why = 'you carry out this task';
      break;
    }
    case 'summary': {
      const count = (k: TaskReminder['kind']): number => content.items.filter((i) => i.kind === k).length;
      const parts = [
        [count('escalation'), 'escalated'],
        [count('overdue'), 'overdue'],
        [count('due_soon'), 'due soon'],
      ] as const;
      const counts = parts
        .filter(([n]) => n > 0)
        .map(([n, label]) => `${String(n)} ${label}`)
        .join(', ');
      const duties = content.items.length === 1 ? '1 duty needs' : `${String(content.items.length)} duties need`;
      subject = `${duties} attention: ${counts} — ${tenant}`;
      title = `${duties} attention in ${envelope.tenantName}`;
      const shown = content.items.slice(0, SUMMARY_LIST_MAX).map((i) => summaryLine(i, envelope.publicUrl, envelope.tenantId));
      if (content.items.length > SUMMARY_LIST_MAX) shown.push(`… and ${String(content.items.length - SUMMARY_LIST_MAX)} more`);
      paragraphs = [
        greeting,
        `These duties of ${envelope.tenantName} need your attention (one mail instead of ${String(content.items.length)}):`,
        shown.join('\n'),
      ];
      action = { label: 'Open your tasks', url: `${envelope.publicUrl}/tenants/${envelope.tenantId}/tasks` };
      why = 'you own these tasks or are an admin of the organisation';
      break;
    }
    case 'digest': {
      const monday = formatDay(isoWeekMonday(content.week));
      const counts = `${content.overdue.length} overdue, ${content.dueSoon.length} due soon, ${content.open.length} open`;
      subject = `Weekly digest for the week of ${monday}: ${counts} — ${tenant}`;
      title = `Your duties in ${envelope.tenantName}, week of ${monday}`;
      paragraphs = [greeting];
      if (content.overdue.length > 0) {
        paragraphs.push(
          `Overdue (${content.overdue.length}):\n${digestLines(content.overdue, (i) => `due ${formatDay(i.dueDate)}, ${dayCount(-i.daysLeft)} ago`)}`,
        );
      }
      if (content.dueSoon.length > 0) {
        paragraphs.push(
          `Due in the next ${dayCount(content.dueSoonDays)} (${content.dueSoon.length}):\n${digestLines(content.dueSoon, (i) => `due ${formatDay(i.dueDate)}`)}`,
        );
      }
      if (content.open.length > 0) {
        paragraphs.push(`Open, due later (${content.open.length}):\n${digestLines(content.open, (i) => `due ${formatDay(i.dueDate)}`)}`);
      }
      paragraphs.push('This digest replaces the separate due-soon reminders for these tasks this week.');
      action = { label: 'Open your tasks', url: `${envelope.publicUrl}/tenants/${envelope.tenantId}/tasks` };
      why = 'you carry out duties of the organisation';
      break;
    }
  }

  const stopUrl = unsubscribeUrl(envelope.publicUrl, envelope.unsubscribeToken);
  const rendered = renderMail({
    title,
    paragraphs,
    action,
    footer: `Dates are reckoned in the ${envelope.timeZone} time zone. You get this mail because ${why} in ${envelope.tenantName} on Dutybook. To stop ${KIND_LABEL[content.kind === 'summary' ? content.unsubscribeKind : content.kind]}, open ${stopUrl}`,
  });
  return {
    to: envelope.recipient.email,
    subject,
    text: rendered.text,
    html: rendered.html,
    headers: {
      'Message-ID': messageIdOf(envelope.notificationId),
      'List-Unsubscribe': `<${stopUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      // RFC 3834: no out-of-office replies to a machine.
      'Auto-Submitted': 'auto-generated',
      'X-Dutybook-Kind': content.kind,
    },
  };
}
