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

  constructor(error: ErrorCode, message: string, details?: unknown);
  /** Transitional (being removed): an undeclared code. Declare it in the lib's error table and pass that entry. */
  constructor(code: string, message: string, status: number, details?: unknown);
  constructor(error: ErrorCode | string, message: string, statusOrDetails?: unknown, details?: unknown) {
    super(message);
    this.name = new.target.name;
    if (typeof error === 'string') {
      this.code = error;
      this.status = statusOrDetails as number;
      this.details = details;
    } else {
      this.code = error.code;
      this.status = error.status;
      this.details = statusOrDetails;
    }
  }
}

/** Transitional (being removed): declare the code with its status in the lib's error table instead. */
export class NotFoundError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, 404, details);
  }
}

/** Transitional (being removed): declare the code with its status in the lib's error table instead. */
export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, 409, details);
  }
}

/** A PATCH that names nothing to change is a client mistake, not a silent success. */
export class NothingToChangeError extends DomainError {
  constructor(fields: readonly string[]) {
    super(CORE_ERRORS.NOTHING_TO_CHANGE, `Send at least one of: ${fields.join(', ')}.`, { fields });
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown, error: ErrorCode | string = CORE_ERRORS.VALIDATION_FAILED) {
    if (typeof error === 'string') super(error, message, 400, details);
    else super(error, message, details);
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
