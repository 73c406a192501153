import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, iso, type AppConfig } from '../core';
import { queueJob, TenantDb, type TracedJobData } from '../db';
import { MailDeliveryError, Mailer, mailName, renderMail, type OutgoingMail } from '../notify';
import { InvitationRepository } from './invitation.repository';
import { LinkSeal } from './link-seal';
import { sha256 } from './tokens.service';

/** The pg-boss queue of invitation mails (its retry settings are in apps/worker/queues.ts). */
export const INVITATION_MAIL_QUEUE = 'invitation-mail';

/** One queued invitation mail. The link's secret travels sealed: pgboss.job must not hold a usable link. */
export interface InvitationMailJob extends TracedJobData {
  readonly tenantId: string;
  readonly invitationId: string;
  /** AES-256-GCM of the token's secret, bound to the invitation id: base64url(iv | tag | ciphertext). */
  readonly sealedSecret: string;
}

export type InvitationMailOutcome =
  | { readonly outcome: 'sent'; readonly messageId: string }
  /** Accepted, replaced, expired or never committed: a mail now would carry a dead link. */
  | { readonly outcome: 'skipped'; readonly reason: string }
  /** The server refused this message for good (5xx): retrying cannot help. */
  | { readonly outcome: 'refused'; readonly reason: string };

/**
 * Invitation mails after commit. The api queues the job in the transaction that stores the
 * invitation (so a rolled-back invitation sends nothing and SMTP never holds a transaction open);
 * the worker composes the mail from the row as it is then and hands it to SMTP outside any
 * transaction. A temporary refusal or an outage throws: pg-boss retries the job with backoff.
 */
@Injectable()
export class InvitationMails {
  /** api and worker derive the same key from the JWT secret they already share. */
  private readonly links: LinkSeal;

  constructor(
    private readonly db: TenantDb,
    private readonly invitations: InvitationRepository,
    private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.links = new LinkSeal(config, 'invitation mail link v1');
  }

  /**
   * Queues the mail in the current unit of work (call inside TenantDb.run, after storing the row).
   * The job carries the request's id: the worker's log lines for it name the request that invited.
   */
  async queue(ctx: { readonly tenantId: string; readonly requestId: string }, invitationId: string, secret: string): Promise<void> {
    const job: InvitationMailJob = { tenantId: ctx.tenantId, invitationId, sealedSecret: this.links.seal(invitationId, secret) };
    await queueJob(this.db.em, INVITATION_MAIL_QUEUE, job, { requestId: ctx.requestId });
  }

  /** The worker's handler for one job. */
  async deliver(job: InvitationMailJob): Promise<InvitationMailOutcome> {
    const secret = this.links.unseal(job.invitationId, job.sealedSecret);
    if (secret === null) return { outcome: 'skipped', reason: 'the sealed link does not open with this server’s key' };
    // A short read-only unit of work; the SMTP exchange happens after it has ended.
    const invitation = await this.db.run({ tenantId: job.tenantId, userId: null }, () =>
      this.invitations.findPendingForMail(job.tenantId, job.invitationId),
    );
    if (!invitation || invitation.tokenHash !== sha256(secret))
      return { outcome: 'skipped', reason: 'the invitation was accepted, replaced or has expired' };
    // Both names were typed by people (the inviter, whoever named the organisation): one clean line each.
    const tenantName = mailName(invitation.tenantName);
    const inviterName = mailName(invitation.inviterName);
    const link = `${this.config.publicUrl}/invitations/accept?token=${encodeURIComponent(`${job.tenantId}.${secret}`)}`;
    const body = renderMail({
      title: `Join ${tenantName} on Dutybook`,
      paragraphs: [
        `${inviterName} invites you to ${tenantName} on Dutybook as ${invitation.role}.`,
        `The link works once and expires on ${iso(invitation.expiresAt).slice(0, 10)}.`,
      ],
      action: { label: 'Accept the invitation', url: link },
      footer: 'If you did not expect this invitation, ignore this mail.',
    });
    const mail: OutgoingMail = {
      to: invitation.email,
      subject: `Invitation to ${tenantName} on Dutybook`,
      text: body.text,
      html: body.html,
    };
    try {
      return { outcome: 'sent', messageId: (await this.mailer.send(mail)).messageId };
    } catch (error: unknown) {
      if (error instanceof MailDeliveryError && error.permanent)
        return { outcome: 'refused', reason: `SMTP ${error.smtpCode ?? ''} ${errorText(error.cause)}`.trim() };
      throw error;
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : '';
}
