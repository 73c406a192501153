import { ValidationError } from '../core';

export class InvalidUnsubscribeTokenError extends ValidationError {
  constructor() {
    super(
      'This unsubscribe link is not valid: use the link from a Dutybook mail, unchanged, or change your preferences after logging in.',
      undefined,
      'INVALID_UNSUBSCRIBE_TOKEN',
    );
  }
}

export class UnknownTimeZoneError extends ValidationError {
  constructor(timezone: string) {
    super(`"${timezone}" is not a time zone this server knows: use an IANA name such as Europe/Paris, or null.`, [
      { field: 'timezone', problems: ['must be an IANA time zone name'] },
    ]);
  }
}
