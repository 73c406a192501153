import { declareErrors, DomainError } from '../core';

/** The error codes of libs/tasks: code, HTTP status, meaning (docs/errors.md is generated from it). */
export const TASKS_ERRORS = declareErrors('tasks', {
  TASK_NOT_FOUND: { status: 404, meaning: 'No such task in this tenant (or not visible to you). GET .../tasks lists them.' },
  SUBSCRIPTION_NOT_FOUND: { status: 404, meaning: 'No such subscription in this tenant. GET .../subscriptions lists them.' },
  SUBSCRIPTION_EXISTS: { status: 409, meaning: 'The tenant already subscribes to this catalog: change its phase with PATCH instead.' },
  SUBSCRIPTION_ENDED: {
    status: 409,
    meaning: 'The subscription was ended: its phase and version no longer change. Its tasks stay readable (withdrawn).',
  },
  PHASE_BACKWARDS: { status: 409, meaning: "A subscription's lifecycle only moves forward; `details` gives the current and wanted phase." },
  INVALID_TRANSITION: {
    status: 409,
    meaning: 'The task is in a status from which this change is not possible; `details` gives the current and wanted status.',
  },
  TASK_CLOSED: { status: 409, meaning: 'The task is approved, not applicable or withdrawn: it takes no more evidence.' },
  EVIDENCE_REQUIRED: { status: 422, meaning: 'Completing a task needs evidence (new evidence after a rejection): attach it first.' },
  CONCURRENT_CHANGE: { status: 409, meaning: 'Someone else changed the task at the same moment: reload it and retry.' },
  ASSIGNEE_NOT_MEMBER: { status: 422, meaning: 'The assignee must be an active admin or member of the tenant.' },
  DUTY_NOT_OPTIONAL: { status: 409, meaning: 'Only an optional duty can be marked not applicable.' },
  SELF_REVIEW: { status: 403, meaning: 'You completed this task: someone else (an auditor or another admin) must review it.' },
  REASON_REQUIRED: { status: 400, meaning: 'Rejecting a task or marking a duty not applicable needs a reason (comment) in the body.' },
  NOT_EVENT_DRIVEN: { status: 409, meaning: 'Only an event-driven duty (cadence on_event) logs occurrences; complete the task instead.' },
  UPGRADE_VERSION_NOT_FOUND: {
    status: 404,
    meaning:
      "The subscription's catalog has no such version (a version of another catalog is not one of its versions). GET /catalogs/:key/versions lists them.",
  },
  UPGRADE_NOT_NEWER: {
    status: 409,
    meaning: 'A subscription only moves to a newer version of its catalog; `details` gives the current and the wanted version.',
  },
});

export class TaskNotFoundError extends DomainError {
  constructor() {
    super(TASKS_ERRORS.TASK_NOT_FOUND, 'No such task in this tenant. GET .../tasks lists them.');
  }
}

export class SubscriptionNotFoundError extends DomainError {
  constructor() {
    super(TASKS_ERRORS.SUBSCRIPTION_NOT_FOUND, 'No such subscription in this tenant. GET .../subscriptions lists them.');
  }
}

export class SubscriptionExistsError extends DomainError {
  constructor(catalogKey: string) {
    super(TASKS_ERRORS.SUBSCRIPTION_EXISTS, `This tenant already subscribes to ${catalogKey}: change its phase with PATCH instead.`);
  }
}

export class SubscriptionEndedError extends DomainError {
  constructor(endedAt: string) {
    super(TASKS_ERRORS.SUBSCRIPTION_ENDED, `This subscription was ended on ${endedAt}: it no longer changes.`, { endedAt });
  }
}

export class PhaseBackwardsError extends DomainError {
  constructor(current: string, wanted: string, phases: readonly string[]) {
    super(TASKS_ERRORS.PHASE_BACKWARDS, `The subscription is in ${current}: a lifecycle only moves forward (${phases.join(' -> ')}).`, {
      current,
      wanted,
    });
  }
}

export class InvalidTransitionError extends DomainError {
  constructor(current: string, wanted: string, hint: string) {
    super(TASKS_ERRORS.INVALID_TRANSITION, `The task is ${current}: it cannot become ${wanted}. ${hint}`, { current, wanted });
  }
}

export class TaskClosedError extends DomainError {
  constructor(status: string) {
    super(TASKS_ERRORS.TASK_CLOSED, `The task is ${status}: it takes no more evidence. A new period opens a new task.`, { status });
  }
}

export class EvidenceRequiredError extends DomainError {
  constructor(sinceRejection: boolean) {
    super(
      TASKS_ERRORS.EVIDENCE_REQUIRED,
      sinceRejection
        ? 'The task was rejected: attach new evidence before completing it again.'
        : 'Attach at least one piece of evidence before completing the task.',
    );
  }
}

export class ConcurrentChangeError extends DomainError {
  constructor() {
    super(TASKS_ERRORS.CONCURRENT_CHANGE, 'Someone else changed this task at the same moment: reload it and try again.');
  }
}

export class AssigneeNotMemberError extends DomainError {
  constructor() {
    super(
      TASKS_ERRORS.ASSIGNEE_NOT_MEMBER,
      'The assignee must be an admin or member of this tenant (auditors and viewers do not carry out duties).',
    );
  }
}

export class NotOptionalError extends DomainError {
  constructor() {
    super(
      TASKS_ERRORS.DUTY_NOT_OPTIONAL,
      'Only an optional duty can be marked not applicable; this one is required by the responsibility model.',
    );
  }
}

export class SelfReviewError extends DomainError {
  constructor() {
    super(TASKS_ERRORS.SELF_REVIEW, 'You completed this task: someone else (an auditor or another admin) must review it.');
  }
}

export class ReasonRequiredError extends DomainError {
  constructor(what: string) {
    super(TASKS_ERRORS.REASON_REQUIRED, `${what} needs a reason: send it in the body.`);
  }
}

export class NotEventDrivenError extends DomainError {
  constructor() {
    super(TASKS_ERRORS.NOT_EVENT_DRIVEN, 'Only an event-driven duty (cadence on_event) logs occurrences; complete this task instead.');
  }
}

export class UpgradeVersionNotFoundError extends DomainError {
  constructor(catalogKey: string, version: string) {
    super(
      TASKS_ERRORS.UPGRADE_VERSION_NOT_FOUND,
      `Catalog ${catalogKey} has no version ${version}. GET /api/v1/catalogs/${catalogKey}/versions lists them.`,
      { catalogKey, version },
    );
  }
}

export class UpgradeNotNewerError extends DomainError {
  constructor(current: string, wanted: string) {
    super(
      TASKS_ERRORS.UPGRADE_NOT_NEWER,
      `The subscription is on version ${current}; ${wanted} is older: a subscription only moves to a newer version.`,
      {
        current,
        wanted,
      },
    );
  }
}
