import { Injectable } from '@nestjs/common';
import type { Role } from '../core';
import { TenantDb } from '../db';
import type { InvitationEntity } from './invitation.entity';

export type InvitationRecord = Pick<InvitationEntity, 'id' | 'email' | 'role' | 'expiresAt' | 'membershipExpiresAt'>;
/** Read model of an invitation being accepted: with its tenant's name. */
export type PendingInvitation = InvitationRecord & { tenantName: string };
/** Read model of the invitation mail: what it says, and the token hash to check the queued link against. */
export type InvitationMailRecord = InvitationRecord & Pick<InvitationEntity, 'tokenHash'> & { tenantName: string; inviterName: string };

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
    await this.db.em.query('DELETE FROM invitation WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL', [
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
        WHERE i.tenant_id = $1 AND i.token_hash = $2 AND i.accepted_at IS NULL AND i.expires_at > now()
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
        WHERE i.tenant_id = $1 AND i.id = $2 AND i.accepted_at IS NULL AND i.expires_at > now()`,
      [tenantId, id],
    );
    return row ?? null;
  }
}
