import { CORE_ERRORS, declareErrors, DomainError } from '../core';

/** Every error code libs/tenancy answers with: code, HTTP status, meaning (docs/errors.md is generated from it). */
export const TENANCY_ERRORS = declareErrors('tenancy', {
  TENANT_NOT_FOUND: {
    status: 404,
    meaning: 'No such tenant, or you are not (or no longer) a member of it: both answer alike. GET /tenants lists yours.',
  },
  MEMBER_NOT_FOUND: { status: 404, meaning: 'The user is not a current member of the tenant.' },
  EMAIL_TAKEN: {
    status: 409,
    meaning:
      'An account with this email already exists: log in, or reset its password (POST /auth/password-reset, "Forgotten password?" in the console).',
  },
  LAST_ADMIN: {
    status: 409,
    meaning: 'The change would leave the tenant without an admin (without expiry): make another member admin first.',
  },
  ALREADY_MEMBER: { status: 409, meaning: 'The invited address already belongs to a current member: change their role instead.' },
  INVALID_CREDENTIALS: { status: 401, meaning: 'Email or password is wrong (the same answer for an unknown email).' },
  TOKEN_EXPIRED: { status: 401, meaning: 'The access token has expired: refresh it with POST /auth/refresh.' },
  TOKEN_CLAIMS_INVALID: {
    status: 401,
    meaning:
      'The access token is signed but its claims are not ones this server issues (no expiry, issued in the future, a lifetime longer than configured, a malformed subject): log in again.',
  },
  REFRESH_TOKEN_INVALID: { status: 401, meaning: 'The refresh token is unknown, expired or revoked: log in again.' },
  REFRESH_TOKEN_REUSED: {
    status: 401,
    meaning: 'The refresh token was already spent: every session of that login is ended (possible theft). Log in again.',
  },
  INVITATION_INVALID: { status: 410, meaning: 'The invitation link was used, replaced or has expired: ask an admin for a new one.' },
  INVITATION_REVOKED: { status: 410, meaning: 'An admin revoked this invitation: ask them for a new one if it was a mistake.' },
  INVITATION_NOT_FOUND: {
    status: 404,
    meaning:
      'No open invitation with this id in the tenant (accepted, revoked, replaced, or another tenant’s). GET .../invitations lists them.',
  },
  EXPIRY_NOT_IN_FUTURE: { status: 400, meaning: 'A membership’s expiry must lie in the future (send null to remove it).' },
  TENANT_CONFIRMATION_MISMATCH: {
    status: 400,
    meaning: 'Deleting a tenant needs `confirmName` equal to its current name (GET /tenants/:id gives it): nothing was deleted.',
  },
  SIGNUP_CLOSED: { status: 403, meaning: 'Sign-up is closed on this server: ask an admin of your organisation for an invitation.' },
  WEAK_PASSWORD: { status: 400, meaning: 'The password is too short, too long, common, or contains the email or name.' },
  ACCOUNT_DETAILS_REQUIRED: { status: 400, meaning: 'Accepting an invitation for a new account needs a name and a password.' },
  EMAIL_ADDRESS_UNSUPPORTED: {
    status: 400,
    meaning:
      "Only plain addresses (name@example.org: letters, digits and !#$%&'*+/=?^_`{|}~- in the local part, an ASCII host name) are accepted: no quoted local parts, comments or IP literals.",
  },
  PASSWORD_RESET_TOKEN_INVALID: {
    status: 400,
    meaning: 'The password reset link is not one this server made (mistyped or cut short): ask for a new link with "Forgotten password?".',
  },
  PASSWORD_RESET_TOKEN_EXPIRED: {
    status: 410,
    meaning: 'The password reset link was already used, replaced by a newer one, or is older than one hour: ask for a new link.',
  },
  CURRENT_PASSWORD_REQUIRED: { status: 400, meaning: 'Changing the password needs the current password too (`currentPassword`).' },
  CURRENT_PASSWORD_INVALID: {
    status: 403,
    meaning: 'The current password is wrong (counted like a failed login). Forgotten it? Sign out and use "Forgotten password?".',
  },
  RATE_LIMITED: {
    status: 429,
    meaning: 'Too many attempts: wait for the seconds in Retry-After (also `details.retryAfterSeconds`), then retry.',
  },
});

export class TenantNotFoundError extends DomainError {
  constructor() {
    super(TENANCY_ERRORS.TENANT_NOT_FOUND, 'No such tenant, or you are not a member of it. GET /api/v1/tenants lists yours.');
  }
}

export class MemberNotFoundError extends DomainError {
  constructor() {
    super(TENANCY_ERRORS.MEMBER_NOT_FOUND, 'This user is not a member of the tenant. GET .../members lists them.');
  }
}

export class EmailTakenError extends DomainError {
  constructor() {
    super(
      TENANCY_ERRORS.EMAIL_TAKEN,
      'An account with this email already exists: log in instead, or reset its password with "Forgotten password?" (POST /api/v1/auth/password-reset).',
    );
  }
}

export class LastAdminError extends DomainError {
  constructor() {
    super(TENANCY_ERRORS.LAST_ADMIN, 'This is the last admin of the tenant: make another member admin first.');
  }
}

export class AlreadyMemberError extends DomainError {
  constructor() {
    super(TENANCY_ERRORS.ALREADY_MEMBER, 'This person is already a member: change their role on the members list instead.');
  }
}

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super(TENANCY_ERRORS.INVALID_CREDENTIALS, 'Email or password is wrong.');
  }
}

const TOKEN_ERRORS = {
  UNAUTHENTICATED: CORE_ERRORS.UNAUTHENTICATED,
  TOKEN_EXPIRED: TENANCY_ERRORS.TOKEN_EXPIRED,
  TOKEN_CLAIMS_INVALID: TENANCY_ERRORS.TOKEN_CLAIMS_INVALID,
  REFRESH_TOKEN_INVALID: TENANCY_ERRORS.REFRESH_TOKEN_INVALID,
  REFRESH_TOKEN_REUSED: TENANCY_ERRORS.REFRESH_TOKEN_REUSED,
} as const;

export class InvalidTokenError extends DomainError {
  constructor(code: keyof typeof TOKEN_ERRORS, message: string) {
    super(TOKEN_ERRORS[code], message);
  }
}

export class InvitationInvalidError extends DomainError {
  constructor() {
    super(
      TENANCY_ERRORS.INVITATION_INVALID,
      'This invitation link is not valid any more (used, replaced or expired): ask an admin of the tenant for a new one.',
    );
  }
}

export class SignupClosedError extends DomainError {
  constructor() {
    super(TENANCY_ERRORS.SIGNUP_CLOSED, 'Sign-up is closed on this server: ask an admin of your organisation for an invitation.');
  }
}

export class WeakPasswordError extends DomainError {
  constructor(reason: string) {
    super(TENANCY_ERRORS.WEAK_PASSWORD, `Choose another password: ${reason}.`);
  }
}

export class AccountRequiredError extends DomainError {
  constructor() {
    super(TENANCY_ERRORS.ACCOUNT_DETAILS_REQUIRED, 'There is no account for this email yet: send name and password to create it.');
  }
}

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(TENANCY_ERRORS.RATE_LIMITED, `Too many attempts: wait ${retryAfterSeconds} s and try again.`, { retryAfterSeconds });
  }
}

export class EmailAddressUnsupportedError extends DomainError {
  constructor() {
    super(
      TENANCY_ERRORS.EMAIL_ADDRESS_UNSUPPORTED,
      'Use a plain email address such as name@example.org: quoted local parts, comments, IP literals and non-ASCII local parts are not accepted.',
    );
  }
}

export class InvitationRevokedError extends DomainError {
  constructor() {
    super(
      TENANCY_ERRORS.INVITATION_REVOKED,
      'An admin of the tenant revoked this invitation: ask them for a new one if you still need access.',
    );
  }
}

export class PasswordResetTokenInvalidError extends DomainError {
  constructor() {
    super(
      TENANCY_ERRORS.PASSWORD_RESET_TOKEN_INVALID,
      'This password reset link is not valid (mistyped or cut short?): ask for a new one with "Forgotten password?".',
    );
  }
}

export class InvitationNotFoundError extends DomainError {
  constructor() {
    super(
      TENANCY_ERRORS.INVITATION_NOT_FOUND,
      'No open invitation with this id in the tenant: GET .../invitations lists the pending and expired ones.',
    );
  }
}

export class PasswordResetTokenExpiredError extends DomainError {
  constructor() {
    super(
      TENANCY_ERRORS.PASSWORD_RESET_TOKEN_EXPIRED,
      'This password reset link was already used, replaced by a newer one, or has expired (links work for one hour): ask for a new one with "Forgotten password?".',
    );
  }
}

export class ExpiryNotInFutureError extends DomainError {
  constructor() {
    super(TENANCY_ERRORS.EXPIRY_NOT_IN_FUTURE, 'expiresAt must be a moment in the future; send null to remove the expiry.');
  }
}

export class TenantConfirmationMismatchError extends DomainError {
  constructor() {
    super(
      TENANCY_ERRORS.TENANT_CONFIRMATION_MISMATCH,
      'confirmName does not match the tenant’s current name: type it exactly to delete the tenant. Nothing was deleted.',
    );
  }
}

export class CurrentPasswordRequiredError extends DomainError {
  constructor() {
    super(TENANCY_ERRORS.CURRENT_PASSWORD_REQUIRED, 'To change your password, send your current password too (currentPassword).');
  }
}

export class CurrentPasswordInvalidError extends DomainError {
  constructor() {
    super(
      TENANCY_ERRORS.CURRENT_PASSWORD_INVALID,
      'Your current password is not right. Forgotten it? Sign out and use "Forgotten password?" on the sign-in page.',
    );
  }
}
