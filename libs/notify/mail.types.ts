/** One message for one recipient; `from` is always the configured MAIL_FROM. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers, e.g. `List-Unsubscribe`. */
  headers?: Record<string, string>;
}

export interface SentMail {
  /** Message-ID header value, angle brackets included. */
  messageId: string;
  transport: 'smtp' | 'file';
  /** The written .eml file when transport is 'file'. */
  path?: string;
}
