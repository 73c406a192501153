import type { Role } from '../context';
import { CORE_ERRORS, type ErrorCode } from './error-codes';

/**
 * Base of every error a user can act on. The code is stable (clients branch on it) and declared
 * with its status in the lib's error table (error-codes.ts); the message says what to do.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: unknown;

  /** `error` is an entry of a lib's declared table (`declareErrors`): no code exists without its status. */
  constructor(error: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = error.code;
    this.status = error.status;
    this.details = details;
  }
}

/** A PATCH that names nothing to change is a client mistake, not a silent success. */
export class NothingToChangeError extends DomainError {
  constructor(fields: readonly string[]) {
    super(CORE_ERRORS.NOTHING_TO_CHANGE, `Send at least one of: ${fields.join(', ')}.`, { fields });
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown, error: ErrorCode = CORE_ERRORS.VALIDATION_FAILED) {
    super(error, message, details);
  }
}

/** The one forbidden-role error: the caller's role in the tenant does not allow the action. */
export class ForbiddenRoleError extends DomainError {
  constructor(role: Role, allowed: readonly Role[], what?: string) {
    super(
      CORE_ERRORS.FORBIDDEN,
      what
        ? `Only ${allowed.join(' or ')} can ${what}; your role here is ${role}.`
        : `Your role here (${role}) cannot do this; it takes ${allowed.join(' or ')}. Ask an admin of the tenant.`,
      { role, allowed },
    );
  }
}
