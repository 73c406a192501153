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
      sinceRejection ? 'The task was rejected: attach new evidence before completing it again.' : 'Attach at least one piece of evidence before completing the task.',
      422,
    );
  }
}

export class ConcurrentChangeError extends ConflictError {
  constructor() {
    super('CONCURRENT_CHANGE', 'Someone else changed this task at the same moment: reload it and try again.');
  }
}
