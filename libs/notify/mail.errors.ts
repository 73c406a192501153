import { declareErrors, DomainError } from '../core';

/** libs/notify's error codes (docs/errors.md is generated from them). */
export const NOTIFY_ERRORS = declareErrors('notify', {
  MAIL_DELIVERY_FAILED: {
    status: 503,
    meaning: 'The mail server did not accept a message. Mails are sent by the worker and retried, so the API no longer answers it.',
  },
});

export interface MailDeliveryFailure {
  /** SMTP reply code when the server answered (421, 451, 550, ...); unset for network or disk errors. */
  smtpCode?: number;
  /** Overrides the verdict derived from smtpCode. */
  permanent?: boolean;
  cause?: unknown;
}

/**
 * 5xx replies are final for this message, except 503 (bad command sequence): that one is about
 * the session, so the same message can go through on a new connection.
 */
export function isPermanentSmtpCode(code: number): boolean {
  return code >= 500 && code < 600 && code !== 503;
}

/** The mail was not handed over; `permanent` tells a worker whether retrying can help. */
export class MailDeliveryError extends DomainError {
  readonly smtpCode: number | undefined;
  readonly permanent: boolean;

  constructor(failure: MailDeliveryFailure = {}) {
    super(NOTIFY_ERRORS.MAIL_DELIVERY_FAILED, 'The mail server did not accept the message. Please try again later.');
    this.smtpCode = failure.smtpCode;
    this.permanent = failure.permanent ?? (failure.smtpCode !== undefined && isPermanentSmtpCode(failure.smtpCode));
    if (failure.cause !== undefined) this.cause = failure.cause;
  }
}
