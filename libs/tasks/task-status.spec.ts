import {
  ACTORS,
  canTransition,
  OPEN_STATUSES,
  patchAction,
  sqlStatusList,
  TASK_ACTIONS,
  TASK_STATUSES,
  TASK_TRANSITIONS,
  type Actor,
  type TaskAction,
  type TaskStatus,
  type TransitionFacts,
} from './task-status';

type Outcome = TaskStatus | '403' | '409';

/**
 * Every (status, action, role) triple, written out by hand, with every precondition met:
 * the status it leads to, 403 (the role may never take the action) or 409 (no such transition).
 * Columns: admin, member, auditor, viewer, system.
 */
// prettier-ignore
const EXPECTED: readonly [TaskStatus, TaskAction, Outcome, Outcome, Outcome, Outcome, Outcome][] = [
  ['todo', 'start', 'in_progress', 'in_progress', '403', '403', '403'],
  ['todo', 'stop', '409', '409', '403', '403', '403'],
  ['todo', 'complete', 'done', 'done', '403', '403', '403'],
  ['todo', 'approve', '409', '403', '409', '403', '403'],
  ['todo', 'reject', '409', '403', '409', '403', '403'],
  ['todo', 'mark_not_applicable', 'not_applicable', '403', '403', '403', '403'],
  ['todo', 'reinstate', '409', '403', '403', '403', '403'],
  ['todo', 'add_evidence', 'in_progress', 'in_progress', '403', '403', '403'],
  ['todo', 'withdraw', '403', '403', '403', '403', 'withdrawn'],
  ['in_progress', 'start', '409', '409', '403', '403', '403'],
  ['in_progress', 'stop', 'todo', 'todo', '403', '403', '403'],
  ['in_progress', 'complete', 'done', 'done', '403', '403', '403'],
  ['in_progress', 'approve', '409', '403', '409', '403', '403'],
  ['in_progress', 'reject', '409', '403', '409', '403', '403'],
  ['in_progress', 'mark_not_applicable', 'not_applicable', '403', '403', '403', '403'],
  ['in_progress', 'reinstate', '409', '403', '403', '403', '403'],
  ['in_progress', 'add_evidence', 'in_progress', 'in_progress', '403', '403', '403'],
  ['in_progress', 'withdraw', '403', '403', '403', '403', 'withdrawn'],
  ['done', 'start', '409', '409', '403', '403', '403'],
  ['done', 'stop', '409', '409', '403', '403', '403'],
  ['done', 'complete', '409', '409', '403', '403', '403'],
  ['done', 'approve', 'approved', '403', 'approved', '403', '403'],
  ['done', 'reject', 'rejected', '403', 'rejected', '403', '403'],
  ['done', 'mark_not_applicable', '409', '403', '403', '403', '403'],
  ['done', 'reinstate', '409', '403', '403', '403', '403'],
  ['done', 'add_evidence', 'done', 'done', '403', '403', '403'],
  ['done', 'withdraw', '403', '403', '403', '403', 'withdrawn'],
  ['approved', 'start', '409', '409', '403', '403', '403'],
  ['approved', 'stop', '409', '409', '403', '403', '403'],
  ['approved', 'complete', '409', '409', '403', '403', '403'],
  ['approved', 'approve', '409', '403', '409', '403', '403'],
  ['approved', 'reject', '409', '403', '409', '403', '403'],
  ['approved', 'mark_not_applicable', '409', '403', '403', '403', '403'],
  ['approved', 'reinstate', '409', '403', '403', '403', '403'],
  ['approved', 'add_evidence', '409', '409', '403', '403', '403'],
  ['approved', 'withdraw', '403', '403', '403', '403', '409'],
  ['rejected', 'start', 'in_progress', 'in_progress', '403', '403', '403'],
  ['rejected', 'stop', '409', '409', '403', '403', '403'],
  ['rejected', 'complete', 'done', 'done', '403', '403', '403'],
  ['rejected', 'approve', '409', '403', '409', '403', '403'],
  ['rejected', 'reject', '409', '403', '409', '403', '403'],
  ['rejected', 'mark_not_applicable', 'not_applicable', '403', '403', '403', '403'],
  ['rejected', 'reinstate', '409', '403', '403', '403', '403'],
  ['rejected', 'add_evidence', 'rejected', 'rejected', '403', '403', '403'],
  ['rejected', 'withdraw', '403', '403', '403', '403', 'withdrawn'],
  ['not_applicable', 'start', '409', '409', '403', '403', '403'],
  ['not_applicable', 'stop', '409', '409', '403', '403', '403'],
  ['not_applicable', 'complete', '409', '409', '403', '403', '403'],
  ['not_applicable', 'approve', '409', '403', '409', '403', '403'],
  ['not_applicable', 'reject', '409', '403', '409', '403', '403'],
  ['not_applicable', 'mark_not_applicable', '409', '403', '403', '403', '403'],
  ['not_applicable', 'reinstate', 'todo', '403', '403', '403', '403'],
  ['not_applicable', 'add_evidence', '409', '409', '403', '403', '403'],
  ['not_applicable', 'withdraw', '403', '403', '403', '403', '409'],
  ['withdrawn', 'start', '409', '409', '403', '403', '403'],
  ['withdrawn', 'stop', '409', '409', '403', '403', '403'],
  ['withdrawn', 'complete', '409', '409', '403', '403', '403'],
  ['withdrawn', 'approve', '409', '403', '409', '403', '403'],
  ['withdrawn', 'reject', '409', '403', '409', '403', '403'],
  ['withdrawn', 'mark_not_applicable', '409', '403', '403', '403', '403'],
  ['withdrawn', 'reinstate', '409', '403', '403', '403', '403'],
  ['withdrawn', 'add_evidence', '409', '409', '403', '403', '403'],
  ['withdrawn', 'withdraw', '403', '403', '403', '403', '409'],
];

const ALL_MET: TransitionFacts = {
  evidenceCount: 1,
  evidenceSinceReview: true,
  completedBySelf: false,
  optional: true,
  comment: 'c',
  reason: 'r',
};

function outcome(status: TaskStatus, action: TaskAction, actor: Actor, facts: TransitionFacts = ALL_MET): string {
  const check = canTransition(status, action, actor, facts);
  if (check.ok) return check.to;
  if (check.refusal === 'forbidden') return '403';
  if (check.refusal === 'invalid') return '409';
  return `precondition ${check.failed}`;
}

describe('task status machine', () => {
  it('the table covers every (status, action) pair exactly once', () => {
    const pairs = EXPECTED.map(([s, a]) => `${s}/${a}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs.length).toBe(TASK_STATUSES.length * TASK_ACTIONS.length);
  });

  it.each(EXPECTED)('%s + %s: admin %s, member %s, auditor %s, viewer %s, system %s', (status, action, ...byActor) => {
    expect(ACTORS.map((actor) => outcome(status, action, actor))).toEqual(byActor);
  });

  it('every transition is reachable from the table (no dead declaration)', () => {
    for (const t of TASK_TRANSITIONS) {
      const row = EXPECTED.find(([s, a]) => s === t.from && a === t.action);
      expect(row).toBeDefined();
      expect(row?.slice(2)).toContain(t.to);
    }
  });

  it('terminal statuses: nothing leaves approved or withdrawn', () => {
    for (const status of ['approved', 'withdrawn'] as const)
      for (const action of TASK_ACTIONS) for (const actor of ACTORS) expect(canTransition(status, action, actor, ALL_MET).ok).toBe(false);
  });

  it('withdrawn is set by the system only, and is not open', () => {
    const into = TASK_TRANSITIONS.filter((t) => t.to === 'withdrawn');
    expect(into.length).toBeGreaterThan(0);
    expect(into.every((t) => t.action === 'withdraw' && t.roles.join() === 'system')).toBe(true);
    expect(OPEN_STATUSES).not.toContain('withdrawn');
  });

  // prettier-ignore
  const PRECONDITIONS: readonly [TaskStatus, TaskAction, Actor, TransitionFacts, string][] = [
    ['todo', 'complete', 'member', { evidenceCount: 0 }, 'precondition evidence'],
    ['in_progress', 'complete', 'admin', { evidenceCount: 0 }, 'precondition evidence'],
    ['rejected', 'complete', 'member', { evidenceCount: 0, evidenceSinceReview: true }, 'precondition evidence'],
    ['rejected', 'complete', 'member', { evidenceCount: 2, evidenceSinceReview: false }, 'precondition new_evidence_since_rejection'],
    ['rejected', 'complete', 'member', { evidenceCount: 2, evidenceSinceReview: true }, 'done'],
    ['in_progress', 'complete', 'member', { evidenceCount: 1, evidenceSinceReview: false }, 'done'],
    ['done', 'approve', 'admin', { completedBySelf: true }, 'precondition not_self_review'],
    ['done', 'approve', 'auditor', { completedBySelf: true }, 'precondition not_self_review'],
    ['done', 'approve', 'auditor', { completedBySelf: false }, 'approved'],
    ['done', 'reject', 'admin', { completedBySelf: true, comment: 'no' }, 'precondition not_self_review'],
    ['done', 'reject', 'auditor', { comment: '   ' }, 'precondition comment'],
    ['done', 'reject', 'auditor', { comment: null }, 'precondition comment'],
    ['done', 'reject', 'auditor', { comment: 'missing page 2' }, 'rejected'],
    ['todo', 'mark_not_applicable', 'admin', { optional: false, reason: 'r' }, 'precondition optional_duty'],
    ['todo', 'mark_not_applicable', 'admin', { optional: true, reason: ' ' }, 'precondition reason'],
    ['rejected', 'mark_not_applicable', 'admin', { optional: true, reason: 'covered' }, 'not_applicable'],
    ['done', 'mark_not_applicable', 'admin', { optional: true, reason: 'covered' }, '409'],
  ];

  it.each(PRECONDITIONS)('%s + %s by %s with %j: %s', (status, action, actor, facts, expected) => {
    expect(outcome(status, action, actor, facts)).toBe(expected);
  });

  it('a PATCH names the action of the table', () => {
    expect(patchAction('todo', 'in_progress')).toBe('start');
    expect(patchAction('rejected', 'in_progress')).toBe('start');
    expect(patchAction('in_progress', 'todo')).toBe('stop');
    expect(patchAction('in_progress', 'not_applicable')).toBe('mark_not_applicable');
    expect(patchAction('not_applicable', 'todo')).toBe('reinstate');
    expect(patchAction('not_applicable', 'in_progress')).toBe('reinstate');
  });

  it('statuses as an SQL list', () => {
    expect(sqlStatusList(OPEN_STATUSES)).toBe("('todo', 'in_progress', 'rejected')");
  });
});
