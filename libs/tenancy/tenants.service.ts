import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  APP_CONFIG,
  DOMAIN_EVENT_SINK,
  isUuid,
  type AppConfig,
  type DomainEventSink,
  type Role,
  type TenantContext,
  type UserContext,
} from '../core';
import { TenantDb } from '../db';
import { InvitationRepository } from './invitation.repository';
import { MembershipRepository } from './membership.repository';
import { InvalidTokenError, TenantConfirmationMismatchError, TenantNotFoundError } from './tenancy.errors';
import { TenantRepository } from './tenant.repository';
import { iso, isoOrNull, userView, type MembershipView, type TenantView, type UserView } from './tenancy.views';
import { UserRepository } from './user.repository';

/**
 * What a lib above tenancy deletes of a tenant being deleted (its tasks, evidence, packs, mail
 * log). Tenancy cannot import those libs: the app binds the list (TENANT_DATA_PURGES), in the
 * order the foreign keys need, like DomainEventSink. Each runs inside the deleting unit of work.
 */
export interface TenantDataPurge {
  readonly name: string;
  purge(tenantId: string, requestId: string): Promise<number>;
}

export const TENANT_DATA_PURGES = Symbol('TENANT_DATA_PURGES');

@Injectable()
export class TenantsService {
  constructor(
    private readonly db: TenantDb,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly invitations: InvitationRepository,
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

  /**
   * The tenant's time zone (an IANA name: "today" for its duties, times in its reports). With
   * `share`, it stays locked until the caller's unit of work ends (TenantRepository.timeZone), so
   * a concurrent change of the zone cannot miss what the caller creates with it.
   */
  async timeZone(ctx: TenantContext, options: { share?: boolean } = {}): Promise<string> {
    const zone = await this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, () => this.tenants.timeZone(ctx.tenantId, options));
    if (zone === null) throw new TenantNotFoundError();
    return zone;
  }

  /** Renames the tenant (admins); the old and new names go to the audit trail. */
  async rename(ctx: TenantContext, name: string): Promise<TenantView> {
    return this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, async () => {
      const before = await this.tenants.lockName(ctx.tenantId);
      if (before === null) throw new TenantNotFoundError();
      const row = await this.tenants.rename(ctx.tenantId, name.trim());
      if (!row) throw new TenantNotFoundError();
      if (before !== row.name)
        await this.events.publish(this.db.em, {
          action: 'tenant.renamed',
          tenantId: ctx.tenantId,
          actorId: ctx.userId,
          entity: { type: 'tenant', id: ctx.tenantId },
          data: { from: before, to: row.name },
          requestId: ctx.requestId,
        });
      return { id: row.id, name: row.name, createdAt: iso(row.createdAt), role: ctx.role };
    });
  }

  /**
   * Deletes the tenant (admins), given its current name as confirmation, in one unit of work: the
   * tenant row becomes a tombstone first (the libs' purge functions refuse a tenant that is not
   * one), then each lib deletes its rows (`purges`, in foreign-key order; libs/evidence also
   * queues the job that deletes the files after commit), then memberships and invitations go and
   * `tenant.deleted` closes the audit chain, which is kept until AUDIT_RETENTION_DAYS from now.
   */
  async delete(ctx: TenantContext, confirmName: string, purges: readonly TenantDataPurge[]): Promise<void> {
    await this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, async () => {
      const name = await this.tenants.lockName(ctx.tenantId);
      if (name === null) throw new TenantNotFoundError();
      if (confirmName.trim() !== name) throw new TenantConfirmationMismatchError();
      const tombstone = await this.tenants.tombstone(ctx.tenantId, ctx.userId, this.config.auditRetentionDays);
      const removed: Record<string, number> = {};
      for (const p of purges) removed[p.name] = await p.purge(ctx.tenantId, ctx.requestId);
      removed.invitations = await this.invitations.removeAll(ctx.tenantId);
      removed.memberships = await this.memberships.removeAll(ctx.tenantId);
      await this.events.publish(this.db.em, {
        action: 'tenant.deleted',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'tenant', id: ctx.tenantId },
        data: { name, removed, auditRetainedUntil: isoOrNull(tombstone.auditRetainedUntil) },
        requestId: ctx.requestId,
      });
    });
  }

  async me(ctx: UserContext): Promise<{ user: UserView; memberships: MembershipView[] }> {
    const user = await this.users.findById(ctx.userId);
    // A valid token whose account is gone.
    if (!user) throw new InvalidTokenError('UNAUTHENTICATED', 'This account no longer exists: sign up or log in again.');
    return { user: userView(user), memberships: await this.listMine(ctx) };
  }
}
