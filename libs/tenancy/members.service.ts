import { Inject, Injectable } from '@nestjs/common';
import { DOMAIN_EVENT_SINK, type DomainEventSink, type Role, type TenantContext } from '../core';
import { TenantDb } from '../db';
import { MembershipRepository, type MemberRecord } from './membership.repository';
import { ExpiryNotInFutureError, LastAdminError, MemberNotFoundError } from './tenancy.errors';
import { iso, isoOrNull, type MemberView, type Page } from './tenancy.views';

export interface MemberChange {
  role?: Role;
  /** null clears the expiry. */
  expiresAt?: Date | null;
}

const toView = (r: MemberRecord): MemberView => ({
  userId: r.userId,
  email: r.email,
  name: r.name,
  role: r.role,
  expiresAt: isoOrNull(r.expiresAt),
  joinedAt: iso(r.createdAt),
});

@Injectable()
export class MembersService {
  constructor(
    private readonly db: TenantDb,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    private readonly memberships: MembershipRepository,
  ) {}

  async list(ctx: TenantContext, page: { limit: number; cursor?: string }): Promise<Page<MemberView>> {
    const result = await this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, () =>
      this.memberships.page(ctx.tenantId, page.cursor, page.limit),
    );
    return { items: result.items.map(toView), nextCursor: result.nextCursor };
  }

  async update(ctx: TenantContext, userId: string, change: MemberChange): Promise<MemberView> {
    // An expiry in the past would remove the member at once: DELETE says that more plainly.
    if (change.expiresAt && change.expiresAt.getTime() <= Date.now()) throw new ExpiryNotInFutureError();
    return this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, async () => {
      const { member: before, otherAdmins } = await this.lockMember(ctx.tenantId, userId);
      const losesAdmin =
        before.role === 'admin' &&
        ((change.role !== undefined && change.role !== 'admin') || (change.expiresAt !== undefined && change.expiresAt !== null));
      if (losesAdmin && otherAdmins === 0) throw new LastAdminError();
      const row = await this.memberships.update(ctx.tenantId, userId, change);
      if (!row) throw new MemberNotFoundError();
      await this.events.publish(this.db.em, {
        action: 'member.role_changed',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'membership', id: userId },
        data: {
          from: { role: before.role, expiresAt: isoOrNull(before.expiresAt) },
          to: { role: row.role, expiresAt: isoOrNull(row.expiresAt) },
        },
        requestId: ctx.requestId,
      });
      return toView(row);
    });
  }

  async remove(ctx: TenantContext, userId: string): Promise<void> {
    await this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, async () => {
      const { member: before, otherAdmins } = await this.lockMember(ctx.tenantId, userId);
      if (before.role === 'admin' && otherAdmins === 0) throw new LastAdminError();
      await this.memberships.remove(ctx.tenantId, userId);
      await this.events.publish(this.db.em, {
        action: 'member.removed',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'membership', id: userId },
        data: { role: before.role, self: userId === ctx.userId },
        requestId: ctx.requestId,
      });
    });
  }

  /** The member (active) and how many other admins without an expiry remain, all rows locked. */
  private async lockMember(tenantId: string, userId: string) {
    const rows = await this.memberships.lockForChange(tenantId, userId);
    const member = rows.find((r) => r.userId === userId && r.active);
    if (!member) throw new MemberNotFoundError();
    // Only admins without an expiry count: an expiring admin cannot be the last safeguard.
    const otherAdmins = rows.filter((r) => r.userId !== userId && r.role === 'admin' && r.expiresAt === null).length;
    return { member, otherAdmins };
  }
}
