import { ConflictError, DomainError, NotFoundError } from '../core';

export class TenantNotFoundError extends NotFoundError {
  constructor() {
    super('TENANT_NOT_FOUND', 'No such tenant, or you are not a member of it. GET /api/v1/tenants lists yours.');
  }
}

export class MemberNotFoundError extends NotFoundError {
  constructor() {
    super('MEMBER_NOT_FOUND', 'This user is not a member of the tenant. GET .../members lists them.');
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('EMAIL_TAKEN', 'An account with this email already exists: log in instead, or reset its password.');
  }
}

export class LastAdminError extends ConflictError {
  constructor() {
    super('LAST_ADMIN', 'This is the last admin of the tenant: make another member admin first.');
  }
}

export class AlreadyMemberError extends ConflictError {
  constructor() {
    super('ALREADY_MEMBER', 'This person is already a member: change their role on the members list instead.');
  }
}

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('INVALID_CREDENTIALS', 'Email or password is wrong.', 401);
  }
}

export class InvalidTokenError extends DomainError {
  constructor(code: 'UNAUTHENTICATED' | 'TOKEN_EXPIRED' | 'REFRESH_TOKEN_INVALID' | 'REFRESH_TOKEN_REUSED', message: string) {
    super(code, message, 401);
  }
}

export class InvitationInvalidError extends DomainError {
  constructor() {
    super(
      'INVITATION_INVALID',
      'This invitation link is not valid any more (used, replaced or expired): ask an admin of the tenant for a new one.',
      410,
    );
  }
}

export class SignupClosedError extends DomainError {
  constructor() {
    super('SIGNUP_CLOSED', 'Sign-up is closed on this server: ask an admin of your organisation for an invitation.', 403);
  }
}

export class WeakPasswordError extends DomainError {
  constructor(reason: string) {
    super('WEAK_PASSWORD', `Choose another password: ${reason}.`, 400);
  }
}

export class AccountRequiredError extends DomainError {
  constructor() {
    super('ACCOUNT_DETAILS_REQUIRED', 'There is no account for this email yet: send name and password to create it.', 400);
  }
}

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many attempts: wait ${retryAfterSeconds} s and try again.`, 429, { retryAfterSeconds });
  }
}
