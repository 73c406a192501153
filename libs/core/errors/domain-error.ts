/**
 * Base of every error a user can act on. The code is stable (clients branch on it), the message
 * says what to do, the status is the HTTP status the global filter answers with.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, 404, details);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, 409, details);
  }
}

/** A PATCH that names nothing to change is a client mistake, not a silent success. */
export class NothingToChangeError extends DomainError {
  constructor(fields: readonly string[]) {
    super('NOTHING_TO_CHANGE', `Send at least one of: ${fields.join(', ')}.`, 400, { fields });
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown, code = 'VALIDATION_FAILED') {
    super(code, message, 400, details);
  }
}
