import type { Role } from '../core';

/**
 * The task status machine, as data: the one declaration of the statuses and of every transition.
 * The service asks canTransition before it writes, the DTOs validate against TASK_STATUSES, the
 * API docs list them (Swagger enum), and the entity's `task_status` CHECK is built from them
 * (a test compares it with the migrated database).
 */
export const TASK_STATUSES = ['todo', 'in_progress', 'done', 'approved', 'rejected', 'not_applicable', 'withdrawn'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Open: still to be carried out. Only open tasks can be overdue and are reminded. */
export const OPEN_STATUSES = ['todo', 'in_progress', 'rejected'] as const satisfies readonly TaskStatus[];
export type OpenStatus = (typeof OPEN_STATUSES)[number];

export const isOpen = (status: TaskStatus): status is OpenStatus => (OPEN_STATUSES as readonly TaskStatus[]).includes(status);

/** `('todo', 'in_progress', 'rejected')`: declared constants as an SQL list (never input: no quoting). */
export function sqlList(values: readonly string[]): string {
  return `(${values.map((s) => `'${s}'`).join(', ')})`;
}

export const sqlStatusList = (statuses: readonly TaskStatus[]): string => sqlList(statuses);

/** `status IN ('todo', 'in_progress', 'rejected')` for a column (the open rule in SQL, written once). */
export const openStatusSql = (column: string): string => `${column} IN ${sqlStatusList(OPEN_STATUSES)}`;

/**
 * What can happen to a task. `withdraw` is the system's (a catalog upgrade removed the duty from
 * the customer); `add_evidence` is the evidence lib's hook (a task not started yet starts).
 */
export const TASK_ACTIONS = [
  'start',
  'stop',
  'complete',
  'approve',
  'reject',
  'mark_not_applicable',
  'reinstate',
  'add_evidence',
  'withdraw',
] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

/** Who acts: a member of the tenant in a role, or the system (worker jobs, catalog upgrades). */
export type Actor = Role | 'system';
export const ACTORS: readonly Actor[] = ['admin', 'member', 'auditor', 'viewer', 'system'];

/**
 * Conditions a transition needs besides status and role, checked in the order listed.
 * - evidence: at least one evidence on the task;
 * - new_evidence_since_rejection: evidence added after the last review (for a rejected task);
 * - not_self_review: the reviewer did not complete the task;
 * - comment: a non-blank comment (reject);
 * - optional_duty: the duty is optional in the responsibility model;
 * - reason: a non-blank reason (not applicable).
 */
export type Precondition = 'evidence' | 'new_evidence_since_rejection' | 'not_self_review' | 'comment' | 'optional_duty' | 'reason';

export interface Transition {
  readonly from: TaskStatus;
  readonly to: TaskStatus;
  readonly action: TaskAction;
  readonly roles: readonly Actor[];
  readonly requires: readonly Precondition[];
}

const PEOPLE_WHO_DO: readonly Actor[] = ['admin', 'member'];
const REVIEWERS: readonly Actor[] = ['admin', 'auditor'];

/** Every transition. A (status, action) pair not listed here is refused (INVALID_TRANSITION). */
export const TASK_TRANSITIONS: readonly Transition[] = [
  // Work: PATCH {status}.
  { from: 'todo', to: 'in_progress', action: 'start', roles: PEOPLE_WHO_DO, requires: [] },
  { from: 'rejected', to: 'in_progress', action: 'start', roles: PEOPLE_WHO_DO, requires: [] },
  { from: 'in_progress', to: 'todo', action: 'stop', roles: PEOPLE_WHO_DO, requires: [] },
  // POST .../complete.
  { from: 'todo', to: 'done', action: 'complete', roles: PEOPLE_WHO_DO, requires: ['evidence'] },
  { from: 'in_progress', to: 'done', action: 'complete', roles: PEOPLE_WHO_DO, requires: ['evidence'] },
  { from: 'rejected', to: 'done', action: 'complete', roles: PEOPLE_WHO_DO, requires: ['evidence', 'new_evidence_since_rejection'] },
  // POST .../reviews.
  { from: 'done', to: 'approved', action: 'approve', roles: REVIEWERS, requires: ['not_self_review'] },
  { from: 'done', to: 'rejected', action: 'reject', roles: REVIEWERS, requires: ['not_self_review', 'comment'] },
  // PATCH {status: 'not_applicable', reason} and back (PATCH {status: 'todo'}).
  ...(['todo', 'in_progress', 'rejected'] as const).map((from): Transition => ({
    from,
    to: 'not_applicable',
    action: 'mark_not_applicable',
    roles: ['admin'],
    requires: ['optional_duty', 'reason'],
  })),
  { from: 'not_applicable', to: 'todo', action: 'reinstate', roles: ['admin'], requires: [] },
  // POST .../evidence: a task not started yet starts; a done or rejected one keeps its status.
  { from: 'todo', to: 'in_progress', action: 'add_evidence', roles: PEOPLE_WHO_DO, requires: [] },
  ...(['in_progress', 'done', 'rejected'] as const).map((from): Transition => ({
    from,
    to: from,
    action: 'add_evidence',
    roles: PEOPLE_WHO_DO,
    requires: [],
  })),
  // A catalog upgrade removed the duty from the customer: terminal, history and evidence kept.
  ...(['todo', 'in_progress', 'done', 'rejected'] as const).map((from): Transition => ({
    from,
    to: 'withdrawn',
    action: 'withdraw',
    roles: ['system'],
    requires: [],
  })),
];

/** What the caller knows about the task and the request when it asks. */
export interface TransitionFacts {
  readonly evidenceCount?: number;
  /** Evidence was added after the last review. */
  readonly evidenceSinceReview?: boolean;
  /** The actor is the one who completed the task. */
  readonly completedBySelf?: boolean;
  readonly optional?: boolean;
  readonly comment?: string | null;
  readonly reason?: string | null;
}

export type TransitionCheck =
  | { readonly ok: true; readonly to: TaskStatus; readonly transition: Transition }
  /** No transition for this action from this status. */
  | { readonly ok: false; readonly refusal: 'invalid'; readonly from: TaskStatus; readonly action: TaskAction }
  /** The role may never take this action. */
  | { readonly ok: false; readonly refusal: 'forbidden'; readonly allowed: readonly Actor[] }
  /** The transition exists, a precondition is not met. */
  | { readonly ok: false; readonly refusal: 'precondition'; readonly failed: Precondition; readonly transition: Transition };

const blank = (text: string | null | undefined): boolean => !text?.trim();

function holds(p: Precondition, facts: TransitionFacts): boolean {
  switch (p) {
    case 'evidence':
      return (facts.evidenceCount ?? 0) > 0;
    case 'new_evidence_since_rejection':
      return facts.evidenceSinceReview === true;
    case 'not_self_review':
      return facts.completedBySelf !== true;
    case 'comment':
      return !blank(facts.comment);
    case 'optional_duty':
      return facts.optional === true;
    case 'reason':
      return !blank(facts.reason);
  }
}

/** The roles that may take an action from some status (the role check comes first: 403 before 409). */
export function rolesFor(action: TaskAction): readonly Actor[] {
  return [...new Set(TASK_TRANSITIONS.filter((t) => t.action === action).flatMap((t) => t.roles))];
}

/**
 * May `actor` take `action` on a task in `status`, given `facts`? Pure: the role first (may this
 * role ever take the action: 403), then the transition (is there one from this status: 409),
 * then its preconditions in order.
 */
export function canTransition(status: TaskStatus, action: TaskAction, actor: Actor, facts: TransitionFacts = {}): TransitionCheck {
  const allowed = rolesFor(action);
  if (!allowed.includes(actor)) return { ok: false, refusal: 'forbidden', allowed };
  const transition = TASK_TRANSITIONS.find((t) => t.from === status && t.action === action);
  if (!transition) return { ok: false, refusal: 'invalid', from: status, action };
  if (!transition.roles.includes(actor)) return { ok: false, refusal: 'forbidden', allowed: transition.roles };
  const failed = transition.requires.find((p) => !holds(p, facts));
  if (failed) return { ok: false, refusal: 'precondition', failed, transition };
  return { ok: true, to: transition.to, transition };
}

/** The statuses PATCH may set, and the action each means from a given status. */
export const PATCHABLE_STATUSES = ['todo', 'in_progress', 'not_applicable'] as const satisfies readonly TaskStatus[];
export type PatchableStatus = (typeof PATCHABLE_STATUSES)[number];

/**
 * The action a PATCH to `to` means from `from`. Any PATCH of a duty marked not applicable is a
 * reinstatement (admins only); the caller checks the transition leads to the status asked for.
 */
export function patchAction(from: TaskStatus, to: PatchableStatus): TaskAction {
  if (to === 'not_applicable') return 'mark_not_applicable';
  if (from === 'not_applicable') return 'reinstate';
  return to === 'in_progress' ? 'start' : 'stop';
}
