import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../core';
import { queueJob, TenantDb, type TracedJobData } from '../db';
import { MailDeliveryError, Mailer, mailName, renderMail, type OutgoingMail } from '../notify';
import { LinkSeal } from './link-seal';
import { PasswordResetTokenRepository } from './password-reset-token.repository';
import { sha256 } from './tokens.service';

/** The pg-boss queue of password reset mails (its retry settings are in apps/worker/queues.ts). */
export const PASSWORD_RESET_MAIL_QUEUE = 'password-reset-mail';

/** One queued reset mail: the link's secret travels sealed (link-seal.ts). */
export interface PasswordResetMailJob extends TracedJobData {
  readonly tokenId: string;
  readonly sealedSecret: string;
}

export type PasswordResetMailOutcome =
  | { readonly outcome: 'sent'; readonly messageId: string }
  /** Used, replaced by a newer link, expired, or never committed: a mail now would carry a dead link. */
  | { readonly outcome: 'skipped'; readonly reason: string }
  /** The server refused this message for good (5xx): retrying cannot help. */
  | { readonly outcome: 'refused'; readonly reason: string };

/**
 * Password reset mails after commit, as invitation mails (invitation-mail.ts): the api queues the
 * job in the transaction that stores the link; the worker re-reads the link (a link used or
 * replaced meanwhile is not mailed) and talks to SMTP outside any transaction. A temporary
 * refusal or an outage throws, and pg-boss retries with backoff.
 */
@Injectable()
export class PasswordResetMails {
  private readonly sealer: LinkSeal;

  constructor(
    private readonly db: TenantDb,
    private readonly links: PasswordResetTokenRepository,
    private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.sealer = new LinkSeal(config, 'password reset mail link v1');
  }

  /** Queues the mail in the current unit of work (call inside TenantDb.run, after storing the link). */
  async queue(requestId: string, tokenId: string, secret: string): Promise<void> {
    const job: PasswordResetMailJob = { tokenId, sealedSecret: this.sealer.seal(tokenId, secret) };
    await queueJob(this.db.em, PASSWORD_RESET_MAIL_QUEUE, job, { requestId });
  }

  /** The worker's handler for one job. */
  async deliver(job: PasswordResetMailJob): Promise<PasswordResetMailOutcome> {
    const secret = this.sealer.unseal(job.tokenId, job.sealedSecret);
    if (secret === null) return { outcome: 'skipped', reason: 'the sealed link does not open with this server’s key' };
    const link = await this.db.run({ tenantId: null, userId: null }, () => this.links.findLiveForMail(job.tokenId));
    if (!link || link.tokenHash !== sha256(secret)) return { outcome: 'skipped', reason: 'the link was used, replaced or has expired' };
    const url = `${this.config.publicUrl}/password-reset?token=${encodeURIComponent(secret)}`;
    const body = renderMail({
      title: 'Choose a new Dutybook password',
      paragraphs: [
        `Hello ${mailName(link.name)}, someone (we hope you) asked to reset the password of the Dutybook account ${link.email}.`,
        'The link works once, for one hour. Choosing a new password signs this account out everywhere.',
      ],
      action: { label: 'Choose a new password', url },
      footer: 'If you did not ask for this, ignore this mail: your password stays as it is.',
    });
    const mail: OutgoingMail = { to: link.email, subject: 'Reset your Dutybook password', text: body.text, html: body.html };
    try {
      return { outcome: 'sent', messageId: (await this.mailer.send(mail)).messageId };
    } catch (error: unknown) {
      if (error instanceof MailDeliveryError && error.permanent)
        return {
          outcome: 'refused',
          reason: `SMTP ${error.smtpCode ?? ''} ${error.cause instanceof Error ? error.cause.message : ''}`.trim(),
        };
      throw error;
    }
  }
}
