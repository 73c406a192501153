import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DOMAIN_EVENT_SINK, isUuid, type DomainEventSink, type Role, type TenantContext, type UserContext } from '../core';
import { inScope } from '../db';
import { InvalidTokenError, TenantNotFoundError } from './tenancy.errors';
import { iso, isoOrNull, type MembershipView, type TenantView, type UserView } from './tenancy.views';

interface MembershipRow {
  tenant_id: string;
  tenant_name: string;
  tenant_created_at: Date;
  role: Role;
  expires_at: Date | null;
}

@Injectable()
export class TenantsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
  ) {}

  /**
   * The caller's role in a tenant, or TENANT_NOT_FOUND: the same answer for a tenant that does
   * not exist, one the caller is not in, and one whose membership has expired.
   */
  async resolveRole(userId: string, tenantId: string): Promise<Role> {
    if (!isUuid(tenantId)) throw new TenantNotFoundError();
    // One round trip on the hot path of every tenant route (see migration MemberRole).
    const [row] = await this.ds.query<{ role: Role | null }[]>('SELECT app_member_role($1, $2) AS role', [tenantId, userId]);
    if (!row?.role) throw new TenantNotFoundError();
    return row.role;
  }

  async create(ctx: UserContext, name: string): Promise<TenantView> {
    const tenantId = randomUUID();
    return inScope(this.ds, { tenantId, userId: ctx.userId }, async (em) => {
      const [row] = await em.query<{ id: string; name: string; created_at: Date }[]>(
        'INSERT INTO tenant (id, name, created_by) VALUES ($1, $2, $3) RETURNING id, name, created_at',
        [tenantId, name.trim(), ctx.userId],
      );
      await em.query("INSERT INTO membership (tenant_id, user_id, role) VALUES ($1, $2, 'admin')", [tenantId, ctx.userId]);
      await this.events.publish(em, {
        action: 'tenant.created',
        tenantId,
        actorId: ctx.userId,
        entity: { type: 'tenant', id: tenantId },
        data: { name: row?.name },
        requestId: ctx.requestId,
      });
      return { id: tenantId, name: row?.name ?? name, createdAt: iso(row?.created_at ?? new Date()), role: 'admin' };
    });
  }

  /** Tenants where the caller has a membership that has not expired. */
  async listMine(ctx: UserContext): Promise<MembershipView[]> {
    const rows = await this.memberships(ctx.userId);
    return rows.map((r) => ({ tenantId: r.tenant_id, tenantName: r.tenant_name, role: r.role, expiresAt: isoOrNull(r.expires_at) }));
  }

  async get(ctx: TenantContext): Promise<TenantView> {
    const [row] = await inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, (em) =>
      em.query<{ id: string; name: string; created_at: Date }[]>('SELECT id, name, created_at FROM tenant WHERE id = $1', [ctx.tenantId]),
    );
    if (!row) throw new TenantNotFoundError();
    return { id: row.id, name: row.name, createdAt: iso(row.created_at), role: ctx.role };
  }

  async me(ctx: UserContext): Promise<{ user: UserView; memberships: MembershipView[] }> {
    const [user] = await this.ds.query<{ id: string; email: string; name: string; created_at: Date }[]>(
      'SELECT id, email, name, created_at FROM app_user WHERE id = $1',
      [ctx.userId],
    );
    // A valid token whose account is gone.
    if (!user) throw new InvalidTokenError('UNAUTHENTICATED', 'This account no longer exists: sign up or log in again.');
    return {
      user: { id: user.id, email: user.email, name: user.name, createdAt: iso(user.created_at) },
      memberships: await this.listMine(ctx),
    };
  }

  private memberships(userId: string): Promise<MembershipRow[]> {
    // No tenant scope: RLS shows the caller's own memberships and the tenants they are in.
    return inScope(this.ds, { tenantId: null, userId }, (em) =>
      em.query<MembershipRow[]>(
        `SELECT m.tenant_id, t.name AS tenant_name, t.created_at AS tenant_created_at, m.role, m.expires_at
           FROM membership m JOIN tenant t ON t.id = m.tenant_id
          WHERE m.user_id = $1 AND (m.expires_at IS NULL OR m.expires_at > now())
          ORDER BY t.name, t.id`,
        [userId],
      ),
    );
  }
}
