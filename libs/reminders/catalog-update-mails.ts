import type { Logger } from '../core';
import type { TenantDb } from '../db';
import { MailDeliveryError, mailName, renderMail, type Mailer, type OutgoingMail } from '../notify';
import type { CatalogUpgradeService, UpgradeSummary } from '../tasks';
import { CatalogUpdateMailRepository, type CatalogUpdateRecipient } from './catalog-update-mail.repository';

/** The job's data (libs/catalog CatalogPublishedJob): the version just stored, and its catalog. */
export interface CatalogPublished {
  readonly catalogId: string;
  readonly versionId: string;
  readonly tenantId: string | null;
  readonly publishedAt: string;
}

export interface CatalogUpdateResult {
  readonly sent: number;
  readonly refused: number;
  /** Recipients another worker (or an earlier attempt) mailed first. */
  readonly alreadySent: number;
  /** Subscriptions not on an older version (or the version is no longer the latest). */
  readonly notOlder: number;
}

/** The console page where an admin previews and applies the upgrade (no token: they sign in). */
export const catalogUpgradeUrl = (publicUrl: string, tenantId: string, subscriptionId: string): string =>
  `${publicUrl}/tenants/${tenantId}/catalogs?upgrade=${encodeURIComponent(subscriptionId)}`;

/** Deterministic: a mail sent twice (crash after SMTP accepted it) carries the same Message-ID. */
export const catalogUpdateMessageId = (tenantId: string, versionId: string, userId: string): string =>
  `<catalog-update.${versionId}.${tenantId}.${userId}@dutybook>`;

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export function composeCatalogUpdate(r: CatalogUpdateRecipient, s: UpgradeSummary, publicUrl: string, messageId: string): OutgoingMail {
  const tenant = mailName(r.tenant_name);
  const counts = `${plural(s.added, 'duty added', 'duties added')}, ${plural(s.withdrawn, 'duty withdrawn', 'duties withdrawn')}, ${plural(s.changed, 'duty changed', 'duties changed')}`;
  const body = renderMail({
    title: `New version of ${s.catalogKey}: ${s.toVersion}`,
    paragraphs: [
      `Hello ${mailName(r.name)},`,
      `A newer version of the catalog ${s.catalogKey} was published: ${s.toVersion}. ${tenant} is subscribed to version ${s.fromVersion}.`,
      `Upgrading would mean: ${counts}.`,
      'Nothing changes until an admin applies the upgrade: preview it first, then apply it from the console.',
    ],
    action: { label: 'Preview the upgrade', url: catalogUpgradeUrl(publicUrl, r.tenant_id, r.subscription_id) },
    footer: `You get this mail once per new catalog version because you are an admin of ${tenant} on Dutybook.`,
  });
  return {
    to: r.email,
    subject: `Catalog ${s.catalogKey} ${s.toVersion} published: ${counts} — ${tenant}`,
    text: body.text,
    html: body.html,
    headers: { 'Message-ID': messageId, 'Auto-Submitted': 'auto-generated', 'X-Dutybook-Kind': 'catalog_update' },
  };
}

/**
 * The `catalog-published` job (docs/catalog-import.md): one mail per admin of each tenant still on
 * an older version of the catalog. Recipients are read across tenants by one definer function;
 * each mail is then its own tenant-scoped transaction that claims the idempotency key
 * (catalog_update_mail_once), hands the mail to SMTP while holding it, and commits. So a retried
 * job, a crash or a second worker never mails anyone twice, except in the one window the reminders
 * have too (SMTP accepted, the process died before the commit), where the copy carries the same
 * Message-ID. A temporary refusal throws: the transaction rolls back and pg-boss retries the job.
 */
export class CatalogUpdateMails {
  private readonly repo: CatalogUpdateMailRepository;

  constructor(
    private readonly db: TenantDb,
    private readonly upgrades: CatalogUpgradeService,
    private readonly mailer: Mailer,
    private readonly publicUrl: string,
    private readonly logger: Logger,
  ) {
    this.repo = new CatalogUpdateMailRepository(db);
  }

  async handle(job: CatalogPublished): Promise<CatalogUpdateResult> {
    const result = { sent: 0, refused: 0, alreadySent: 0, notOlder: 0 };
    const recipients = await this.db.run({ tenantId: null, userId: null }, () =>
      this.repo.recipients(job.catalogId, job.versionId, job.tenantId, job.publishedAt),
    );
    // The summary depends on the version pair only: computed once per from-version.
    const summaries = new Map<string, UpgradeSummary | null>();
    for (const r of recipients) {
      await this.db.run({ tenantId: r.tenant_id, userId: null }, async () => {
        let summary = summaries.get(r.from_version_id);
        if (summary === undefined) {
          summary = await this.upgrades.summary({ tenantId: r.tenant_id, userId: null }, job.catalogId, r.from_version_id, job.versionId);
          summaries.set(r.from_version_id, summary);
        }
        if (!summary) {
          result.notOlder++;
          return;
        }
        const messageId = catalogUpdateMessageId(r.tenant_id, job.versionId, r.user_id);
        if (!(await this.repo.claim(r, job.versionId, messageId))) {
          result.alreadySent++;
          return;
        }
        try {
          await this.mailer.send(composeCatalogUpdate(r, summary, this.publicUrl, messageId));
          result.sent++;
        } catch (error: unknown) {
          if (!(error instanceof MailDeliveryError) || !error.permanent) throw error;
          await this.repo.refused(r.tenant_id, job.versionId, r.user_id, `SMTP ${error.smtpCode ?? ''} ${error.message}`);
          result.refused++;
          this.logger.warn(
            { tenantId: r.tenant_id, userId: r.user_id, versionId: job.versionId },
            'catalog update mail refused; not retried',
          );
        }
      });
    }
    return result;
  }
}
