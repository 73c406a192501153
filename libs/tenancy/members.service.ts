import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DOMAIN_EVENT_SINK, decodeCursor, encodeCursor, type DomainEventSink, type Role, type TenantContext } from '../core';
import { inScope, updateReturning } from '../db';
import { LastAdminError, MemberNotFoundError } from './tenancy.errors';
import { iso, isoOrNull, type MemberView, type Page } from './tenancy.views';

interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  expires_at: Date | null;
  created_at: Date;
}

export interface MemberChange {
  role?: Role;
  /** null clears the expiry. */
  expiresAt?: Date | null;
}

const toView = (r: MemberRow): MemberView => ({
  userId: r.user_id,
  email: r.email,
  name: r.name,
  role: r.role,
  expiresAt: isoOrNull(r.expires_at),
  joinedAt: iso(r.created_at),
});

@Injectable()
export class MembersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
  ) {}

  async list(ctx: TenantContext, page: { limit: number; cursor?: string }): Promise<Page<MemberView>> {
    const after = page.cursor ? decodeCursor(page.cursor, ['string', 'uuid']) : null;
    const rows = await inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, (em) =>
      em.query<MemberRow[]>(
        `SELECT m.user_id, u.email, u.name, m.role, m.expires_at, m.created_at
           FROM membership m JOIN app_user u ON u.id = m.user_id
          WHERE m.tenant_id = $1 AND (m.expires_at IS NULL OR m.expires_at > now())
            AND ($2::text IS NULL OR (u.email, m.user_id) > ($2::text, $3::uuid))
          ORDER BY u.email, m.user_id
          LIMIT $4`,
        [ctx.tenantId, after?.[0] ?? null, after?.[1] ?? null, page.limit + 1],
      ),
    );
    const items = rows.slice(0, page.limit).map(toView);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.email, last.userId]) : null };
  }

  async update(ctx: TenantContext, userId: string, change: MemberChange): Promise<MemberView> {
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const { member: before, otherAdmins } = await this.lockMember(em, ctx.tenantId, userId);
      const losesAdmin =
        before.role === 'admin' &&
        ((change.role !== undefined && change.role !== 'admin') || (change.expiresAt !== undefined && change.expiresAt !== null));
      if (losesAdmin && otherAdmins === 0) throw new LastAdminError();
      const [row] = await updateReturning<MemberRow>(
        em,
        `UPDATE membership m SET role = coalesce($3, m.role),
                expires_at = CASE WHEN $4 THEN $5::timestamptz ELSE m.expires_at END, updated_at = now()
           FROM app_user u
          WHERE m.tenant_id = $1 AND m.user_id = $2 AND u.id = m.user_id
          RETURNING m.user_id, u.email, u.name, m.role, m.expires_at, m.created_at`,
        [ctx.tenantId, userId, change.role ?? null, change.expiresAt !== undefined, change.expiresAt ?? null],
      );
      if (!row) throw new MemberNotFoundError();
      await this.events.publish(em, {
        action: 'member.role_changed',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'membership', id: userId },
        data: {
          from: { role: before.role, expiresAt: isoOrNull(before.expires_at) },
          to: { role: row.role, expiresAt: isoOrNull(row.expires_at) },
        },
        requestId: ctx.requestId,
      });
      return toView(row);
    });
  }

  async remove(ctx: TenantContext, userId: string): Promise<void> {
    await inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const { member: before, otherAdmins } = await this.lockMember(em, ctx.tenantId, userId);
      if (before.role === 'admin' && otherAdmins === 0) throw new LastAdminError();
      await em.query('DELETE FROM membership WHERE tenant_id = $1 AND user_id = $2', [ctx.tenantId, userId]);
      await this.events.publish(em, {
        action: 'member.removed',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'membership', id: userId },
        data: { role: before.role, self: userId === ctx.userId },
        requestId: ctx.requestId,
      });
    });
  }

  /**
   * Locks the member's row and every admin row of the tenant in one ordered statement, so two
   * admins demoting or removing each other at once are serialised (no deadlock) and the second
   * one sees it would leave no admin.
   */
  private async lockMember(em: EntityManager, tenantId: string, userId: string): Promise<{ member: MemberRow; otherAdmins: number }> {
    const rows = await em.query<(MemberRow & { active: boolean })[]>(
      `SELECT m.user_id, m.role, m.expires_at, m.created_at, '' AS email, '' AS name,
              (m.expires_at IS NULL OR m.expires_at > now()) AS active
         FROM membership m
        WHERE m.tenant_id = $1 AND (m.role = 'admin' OR m.user_id = $2)
        ORDER BY m.user_id FOR UPDATE`,
      [tenantId, userId],
    );
    const member = rows.find((r) => r.user_id === userId && r.active);
    if (!member) throw new MemberNotFoundError();
    // Only admins without an expiry count: an expiring admin cannot be the last safeguard.
    const otherAdmins = rows.filter((r) => r.user_id !== userId && r.role === 'admin' && r.expires_at === null).length;
    return { member, otherAdmins };
  }
}
