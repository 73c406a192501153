import { TenantDb } from '../db';

/** Who is told about a newer catalog version (catalog_update_recipients). */
export interface CatalogUpdateRecipient {
  tenant_id: string;
  tenant_name: string;
  subscription_id: string;
  from_version_id: string;
  user_id: string;
  email: string;
  name: string;
}

/**
 * All SQL of the catalog-update mail log (`catalog_update_mail`). Other libs' tables are read only
 * through catalog_update_recipients (the definer function) and the invoker functions it calls.
 */
export class CatalogUpdateMailRepository {
  constructor(private readonly db: TenantDb) {}

  /** Across tenants (an unscoped unit of work): the admins not mailed yet about this version. */
  recipients(catalogId: string, versionId: string, tenantId: string | null, publishedAt: string): Promise<CatalogUpdateRecipient[]> {
    return this.db.em.query<CatalogUpdateRecipient[]>('SELECT * FROM catalog_update_recipients($1, $2, $3, $4)', [
      catalogId,
      versionId,
      tenantId,
      publishedAt,
    ]);
  }

  /**
   * Claims the mail for (tenant, version, admin) in the current (tenant-scoped) unit of work: true
   * when this transaction wrote the row. A second worker's claim waits on the first's uncommitted
   * row and gets false once it commits (or the row when it rolls back).
   */
  async claim(r: CatalogUpdateRecipient, versionId: string, messageId: string): Promise<boolean> {
    const rows = await this.db.em.query<{ id: string }[]>(
      `INSERT INTO catalog_update_mail (tenant_id, version_id, recipient_id, subscription_id, from_version_id, status, message_id)
       VALUES ($1, $2, $3, $4, $5, 'sent', $6)
       ON CONFLICT ON CONSTRAINT catalog_update_mail_once DO NOTHING
       RETURNING id`,
      [r.tenant_id, versionId, r.user_id, r.subscription_id, r.from_version_id, messageId],
    );
    return rows.length === 1;
  }

  /** The server refused the mail for good: recorded, not retried. */
  async refused(tenantId: string, versionId: string, recipientId: string, reason: string): Promise<void> {
    await this.db.em.query(
      `UPDATE catalog_update_mail SET status = 'failed', last_error = $4
        WHERE tenant_id = $1 AND version_id = $2 AND recipient_id = $3`,
      [tenantId, versionId, recipientId, reason.slice(0, 500)],
    );
  }
}
