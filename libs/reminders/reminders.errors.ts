import { declareErrors, DomainError, ValidationError } from '../core';

/** The error codes of libs/reminders (docs/errors.md is generated from this table). */
export const REMINDERS_ERRORS = declareErrors('reminders', {
  INVALID_UNSUBSCRIBE_TOKEN: {
    status: 400,
    meaning:
      'The unsubscribe link was changed or is not from a Dutybook mail: use the link unchanged, or change preferences after signing in.',
  },
});

export class InvalidUnsubscribeTokenError extends DomainError {
  constructor() {
    super(
      REMINDERS_ERRORS.INVALID_UNSUBSCRIBE_TOKEN,
      'This unsubscribe link is not valid: use the link from a Dutybook mail, unchanged, or change your preferences after logging in.',
    );
  }
}

/**
 * A field-level validation failure: 400 VALIDATION_FAILED (core's declared code), like the DTO
 * checks. `field` names the body's field (a preference's `timezone`, which may be null; the
 * tenant's `timeZone`, which may not).
 */
export class UnknownTimeZoneError extends ValidationError {
  constructor(timezone: string, field: 'timezone' | 'timeZone' = 'timezone') {
    super(
      `"${timezone}" is not a time zone this server knows: use an IANA name such as Europe/Paris${field === 'timezone' ? ', or null' : ''}.`,
      [{ field, problems: ['must be an IANA time zone name'] }],
    );
  }
}
