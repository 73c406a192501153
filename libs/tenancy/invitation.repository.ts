import { Injectable } from '@nestjs/common';
import type { Role } from '../core';
import { keysetClause, keysetPage, TenantDb, updateReturning, type Keyset } from '../db';
import type { InvitationEntity } from './invitation.entity';

export type InvitationRecord = Pick<InvitationEntity, 'id' | 'email' | 'role' | 'expiresAt' | 'membershipExpiresAt'>;
/** Read model of an invitation being accepted: with its tenant's name. */
export type PendingInvitation = InvitationRecord & { tenantName: string };
/** Read model of the invitation mail: what it says, and the token hash to check the queued link against. */
export type InvitationMailRecord = InvitationRecord & Pick<InvitationEntity, 'tokenHash'> & { tenantName: string; inviterName: string };

/** Read model of the invitations list: an open (pending or expired) invitation with who sent it. */
export type OpenInvitationRecord = InvitationRecord &
  Pick<InvitationEntity, 'createdAt' | 'invitedBy'> & { inviterName: string | null; expired: boolean };

const OPEN_INVITATIONS: Keyset<OpenInvitationRecord> = {
  columns: ['i.email', 'i.id'],
  parts: ['string', 'uuid'],
  casts: ['text', 'uuid'],
  keyOf: (r) => [r.email, r.id],
};

/** Neither accepted nor revoked: listed, resendable, revocable (expired ones too). */
const OPEN = 'i.accepted_at IS NULL AND i.revoked_at IS NULL';

const RECORD = 'i.id, i.email, i.role, i.expires_at AS "expiresAt", i.membership_expires_at AS "membershipExpiresAt"';

/** Invitations, tenant-scoped by row-level security: call inside TenantDb.run as their tenant. */
@Injectable()
export class InvitationRepository {
  constructor(private readonly db: TenantDb) {}

  /** Stores a new pending invitation, replacing the address's pending one (one per address and tenant). */
  async replacePending(invitation: {
    tenantId: string;
    email: string;
    role: Role;
    membershipExpiresAt: Date | null;
    tokenHash: string;
    invitedBy: string;
    ttlDays: number;
  }): Promise<InvitationRecord> {
    await this.db.em.query('DELETE FROM invitation WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL', [
      invitation.tenantId,
      invitation.email,
    ]);
    const [row] = await this.db.em.query<InvitationRecord[]>(
      `INSERT INTO invitation AS i (tenant_id, email, role, membership_expires_at, token_hash, invited_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7))
       RETURNING ${RECORD}`,
      [
        invitation.tenantId,
        invitation.email,
        invitation.role,
        invitation.membershipExpiresAt,
        invitation.tokenHash,
        invitation.invitedBy,
        invitation.ttlDays,
      ],
    );
    if (!row) throw new Error('invitation insert returned no row');
    return row;
  }

  /** The pending, unexpired invitation with this token hash, locked until the unit of work ends. */
  async lockPendingByToken(tenantId: string, tokenHash: string): Promise<PendingInvitation | null> {
    const [row] = await this.db.em.query<PendingInvitation[]>(
      `SELECT ${RECORD}, t.name AS "tenantName"
         FROM invitation i JOIN tenant t ON t.id = i.tenant_id
        WHERE i.tenant_id = $1 AND i.token_hash = $2 AND ${OPEN} AND i.expires_at > now()
        FOR UPDATE OF i`,
      [tenantId, tokenHash],
    );
    return row ?? null;
  }

  async markAccepted(tenantId: string, id: string, userId: string): Promise<void> {
    await this.db.em.query('UPDATE invitation SET accepted_at = now(), accepted_by = $3 WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
      userId,
    ]);
  }

  /** A still pending, unexpired invitation with what its mail says; null once accepted, replaced or expired. */
  async findPendingForMail(tenantId: string, id: string): Promise<InvitationMailRecord | null> {
    const [row] = await this.db.em.query<InvitationMailRecord[]>(
      `SELECT ${RECORD}, i.token_hash AS "tokenHash", t.name AS "tenantName", u.name AS "inviterName"
         FROM invitation i JOIN tenant t ON t.id = i.tenant_id JOIN app_user u ON u.id = i.invited_by
        WHERE i.tenant_id = $1 AND i.id = $2 AND ${OPEN} AND i.expires_at > now()`,
      [tenantId, id],
    );
    return row ?? null;
  }

  /** Whether this token belonged to an invitation an admin revoked (its link then says so). */
  async isRevokedToken(tenantId: string, tokenHash: string): Promise<boolean> {
    const rows = await this.db.em.query<unknown[]>(
      'SELECT 1 FROM invitation i WHERE i.tenant_id = $1 AND i.token_hash = $2 AND i.revoked_at IS NOT NULL',
      [tenantId, tokenHash],
    );
    return rows.length > 0;
  }

  /** One page of the tenant's open invitations (pending and expired), by address. */
  async page(
    tenantId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: OpenInvitationRecord[]; nextCursor: string | null }> {
    const params: unknown[] = [tenantId];
    const page = keysetClause(OPEN_INVITATIONS, cursor, limit, params);
    const rows = await this.db.em.query<OpenInvitationRecord[]>(
      `SELECT ${RECORD}, i.created_at AS "createdAt", i.invited_by AS "invitedBy", u.name AS "inviterName",
              i.expires_at <= now() AS expired
         FROM invitation i LEFT JOIN app_user u ON u.id = i.invited_by
        WHERE i.tenant_id = $1 AND ${OPEN}${page.where ? ` AND ${page.where}` : ''}
        ORDER BY ${page.orderBy} LIMIT ${page.limit}`,
      params,
    );
    return keysetPage(OPEN_INVITATIONS, rows, limit);
  }

  /** An open invitation (pending or expired), locked until the unit of work ends; null otherwise. */
  async lockOpen(tenantId: string, id: string): Promise<InvitationRecord | null> {
    const [row] = await this.db.em.query<InvitationRecord[]>(
      `SELECT ${RECORD} FROM invitation i WHERE i.tenant_id = $1 AND i.id = $2 AND ${OPEN} FOR UPDATE`,
      [tenantId, id],
    );
    return row ?? null;
  }

  /** A new token and a new expiry: the old link stops working at once (its hash is gone). */
  async renew(tenantId: string, id: string, tokenHash: string, ttlDays: number): Promise<InvitationRecord> {
    const [row] = await updateReturning<InvitationRecord>(
      this.db.em,
      `UPDATE invitation i SET token_hash = $3, expires_at = now() + make_interval(days => $4)
        WHERE i.tenant_id = $1 AND i.id = $2 AND ${OPEN} RETURNING ${RECORD}`,
      [tenantId, id, tokenHash, ttlDays],
    );
    if (!row) throw new Error('invitation renew returned no row');
    return row;
  }

  async revoke(tenantId: string, id: string, userId: string): Promise<void> {
    await this.db.em.query(`UPDATE invitation i SET revoked_at = now(), revoked_by = $3 WHERE i.tenant_id = $1 AND i.id = $2 AND ${OPEN}`, [
      tenantId,
      id,
      userId,
    ]);
  }

  /** Every invitation of a tenant being deleted (accepted, revoked and open alike). */
  async removeAll(tenantId: string): Promise<number> {
    const [, count] = await this.db.em.query<[unknown[], number]>('DELETE FROM invitation WHERE tenant_id = $1', [tenantId]);
    return count;
  }
}
