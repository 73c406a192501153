import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DOMAIN_EVENT_SINK, isUuid, type DomainEventSink, type Role, type TenantContext, type UserContext } from '../core';
import { TenantDb } from '../db';
import { MembershipRepository } from './membership.repository';
import { InvalidTokenError, TenantNotFoundError } from './tenancy.errors';
import { TenantRepository } from './tenant.repository';
import { iso, isoOrNull, userView, type MembershipView, type TenantView, type UserView } from './tenancy.views';
import { UserRepository } from './user.repository';

@Injectable()
export class TenantsService {
  constructor(
    private readonly db: TenantDb,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    private readonly tenants: TenantRepository,
    private readonly memberships: MembershipRepository,
    private readonly users: UserRepository,
  ) {}

  /**
   * The caller's role in a tenant, or TENANT_NOT_FOUND: the same answer for a tenant that does
   * not exist, one the caller is not in, and one whose membership has expired.
   */
  async resolveRole(userId: string, tenantId: string): Promise<Role> {
    if (!isUuid(tenantId)) throw new TenantNotFoundError();
    // One round trip on the hot path of every tenant route (see migration MemberRole).
    const role = await this.memberships.resolveRole(tenantId, userId);
    if (!role) throw new TenantNotFoundError();
    return role;
  }

  async create(ctx: UserContext, name: string): Promise<TenantView> {
    const tenantId = randomUUID();
    return this.db.run({ tenantId, userId: ctx.userId }, async () => {
      const tenant = await this.tenants.insert({ id: tenantId, name: name.trim(), createdBy: ctx.userId });
      await this.memberships.add(tenantId, ctx.userId, 'admin');
      await this.events.publish(this.db.em, {
        action: 'tenant.created',
        tenantId,
        actorId: ctx.userId,
        entity: { type: 'tenant', id: tenantId },
        data: { name: tenant.name },
        requestId: ctx.requestId,
      });
      return { id: tenantId, name: tenant.name, createdAt: iso(tenant.createdAt), role: 'admin' };
    });
  }

  /** Tenants where the caller has a membership that has not expired. */
  async listMine(ctx: UserContext): Promise<MembershipView[]> {
    // No tenant scope: row-level security shows the caller's own memberships and their tenants.
    const rows = await this.db.run({ tenantId: null, userId: ctx.userId }, () => this.memberships.activeMembershipsOf(ctx.userId));
    return rows.map((r) => ({ tenantId: r.tenantId, tenantName: r.tenantName, role: r.role, expiresAt: isoOrNull(r.expiresAt) }));
  }

  async get(ctx: TenantContext): Promise<TenantView> {
    const row = await this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, () => this.tenants.findById(ctx.tenantId));
    if (!row) throw new TenantNotFoundError();
    return { id: row.id, name: row.name, createdAt: iso(row.createdAt), role: ctx.role };
  }

  async me(ctx: UserContext): Promise<{ user: UserView; memberships: MembershipView[] }> {
    const user = await this.users.findById(ctx.userId);
    // A valid token whose account is gone.
    if (!user) throw new InvalidTokenError('UNAUTHENTICATED', 'This account no longer exists: sign up or log in again.');
    return { user: userView(user), memberships: await this.listMine(ctx) };
  }
}
