export { NotifyModule } from './notify.module';
export { Mailer, describeSmtpUrl, type MailerConfig } from './mailer';
export { MailDeliveryError, NOTIFY_ERRORS, isPermanentSmtpCode, type MailDeliveryFailure } from './mail.errors';
export { mailName, mailText } from './mail-text';
export { escapeHtml, renderMail, type MailAction, type MailContent, type RenderedMail } from './templates';
export type { OutgoingMail, SentMail } from './mail.types';
