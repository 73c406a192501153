import { ConflictError, DomainError, NotFoundError } from '../core';

export class TaskNotFoundError extends NotFoundError {
  constructor() {
    super('TASK_NOT_FOUND', 'No such task in this tenant. GET .../tasks lists them.');
  }
}

export class SubscriptionNotFoundError extends NotFoundError {
  constructor() {
    super('SUBSCRIPTION_NOT_FOUND', 'No such subscription in this tenant. GET .../subscriptions lists them.');
  }
}

export class InvalidTransitionError extends ConflictError {
  constructor(current: string, wanted: string, hint: string) {
    super('INVALID_TRANSITION', `The task is ${current}: it cannot become ${wanted}. ${hint}`, { current, wanted });
  }
}

export class TaskClosedError extends ConflictError {
  constructor(status: string) {
    super('TASK_CLOSED', `The task is ${status}: it takes no more evidence. A new period opens a new task.`, { status });
  }
}

export class EvidenceRequiredError extends DomainError {
  constructor(sinceRejection: boolean) {
    super(
      'EVIDENCE_REQUIRED',
      sinceRejection
        ? 'The task was rejected: attach new evidence before completing it again.'
        : 'Attach at least one piece of evidence before completing the task.',
      422,
    );
  }
}

export class ConcurrentChangeError extends ConflictError {
  constructor() {
    super('CONCURRENT_CHANGE', 'Someone else changed this task at the same moment: reload it and try again.');
  }
}

export class AssigneeNotMemberError extends DomainError {
  constructor() {
    super(
      'ASSIGNEE_NOT_MEMBER',
      'The assignee must be an admin or member of this tenant (auditors and viewers do not carry out duties).',
      422,
    );
  }
}

export class NotOptionalError extends DomainError {
  constructor() {
    super(
      'DUTY_NOT_OPTIONAL',
      'Only an optional duty can be marked not applicable; this one is required by the responsibility model.',
      409,
    );
  }
}

export class SelfReviewError extends DomainError {
  constructor() {
    super('SELF_REVIEW', 'You completed this task: someone else (an auditor or another admin) must review it.', 403);
  }
}

export class ReasonRequiredError extends DomainError {
  constructor(what: string) {
    super('REASON_REQUIRED', `${what} needs a reason: send it in the body.`, 400);
  }
}
