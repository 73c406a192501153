import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  APP_CONFIG,
  DOMAIN_EVENT_SINK,
  type AppConfig,
  type DomainEventSink,
  type RequestContext,
  type Role,
  type TenantContext,
} from '../core';
import { TenantDb } from '../db';
import { acceptedEmail } from './email-address';
import { InvitationMails } from './invitation-mail';
import { InvitationRepository, type OpenInvitationRecord } from './invitation.repository';
import { MembershipRepository } from './membership.repository';
import { assertPasswordAcceptable, hashPassword } from './password';
import { RateLimitService } from './rate-limit.service';
import {
  AccountRequiredError,
  AlreadyMemberError,
  ExpiryNotInFutureError,
  InvitationInvalidError,
  InvitationNotFoundError,
  InvitationRevokedError,
} from './tenancy.errors';
import { iso, isoOrNull, userView, type InvitationView, type OpenInvitationView, type Page, type UserView } from './tenancy.views';
import { sha256, TokensService, type TokenPair } from './tokens.service';
import { UserRepository } from './user.repository';

export const INVITATION_TTL_DAYS = 7;

export interface InviteInput {
  email: string;
  role: Role;
  /** When the resulting membership ends (an external auditor's engagement). */
  expiresAt?: Date;
}

export interface AcceptInput {
  token: string;
  name?: string;
  password?: string;
}

export interface AcceptResult {
  tenant: { id: string; name: string };
  role: Role;
  user: UserView;
  /** True when the invitation created the account; then `tokens` logs it in. */
  accountCreated: boolean;
  tokens?: TokenPair;
}

const TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

@Injectable()
export class InvitationsService {
  constructor(
    private readonly db: TenantDb,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    private readonly limits: RateLimitService,
    private readonly tokens: TokensService,
    private readonly invitations: InvitationRepository,
    private readonly memberships: MembershipRepository,
    private readonly users: UserRepository,
    private readonly mails: InvitationMails,
  ) {}

  /**
   * Stores the invitation (replacing a pending one for the same address) and queues its mail, in
   * one unit of work: the worker sends the link after commit (invitation-mail.ts), so a slow or
   * down mail server never holds this transaction, and a rolled-back invitation mails nothing.
   */
  async invite(ctx: TenantContext, input: InviteInput): Promise<InvitationView> {
    const email = acceptedEmail(input.email);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new ExpiryNotInFutureError();
    // Each attempt counts (also one refused below): per tenant, per inviter, and per recipient
    // address across tenants, so neither a tenant nor a stolen admin session floods inboxes.
    const limits = this.config.rateLimits;
    await this.limits.hit('invitation-tenant', ctx.tenantId, limits.invitationTenant);
    await this.limits.hit('invitation-inviter', ctx.userId, limits.invitationInviter);
    await this.limits.hit('invitation-recipient', email, limits.invitationRecipient);
    // The token names its tenant so acceptance can set the row-level-security scope.
    const secret = randomBytes(32).toString('base64url');
    return this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, async () => {
      if (await this.memberships.isActiveMemberByEmail(ctx.tenantId, email)) throw new AlreadyMemberError();
      const row = await this.invitations.replacePending({
        tenantId: ctx.tenantId,
        email,
        role: input.role,
        membershipExpiresAt: input.expiresAt ?? null,
        tokenHash: sha256(secret),
        invitedBy: ctx.userId,
        ttlDays: INVITATION_TTL_DAYS,
      });
      await this.mails.queue(ctx, row.id, secret);
      await this.events.publish(this.db.em, {
        action: 'member.invited',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'invitation', id: row.id },
        data: { email, role: input.role, membershipExpiresAt: isoOrNull(row.membershipExpiresAt) },
        requestId: ctx.requestId,
      });
      return {
        id: row.id,
        email,
        role: input.role,
        expiresAt: iso(row.expiresAt),
        membershipExpiresAt: isoOrNull(row.membershipExpiresAt),
      };
    });
  }

  /** The tenant's open invitations (pending and expired), by address. */
  async list(ctx: TenantContext, page: { limit: number; cursor?: string }): Promise<Page<OpenInvitationView>> {
    const result = await this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, () =>
      this.invitations.page(ctx.tenantId, page.cursor, page.limit),
    );
    return { items: result.items.map(openView), nextCursor: result.nextCursor };
  }

  /**
   * A new link for an open invitation (pending or expired): new token, new expiry, the old link
   * dead at once; the mail is queued in the same unit of work and sent by the worker after commit.
   * Counted by the same limits as a new invitation (a resend is a mail to the same inbox).
   */
  async resend(ctx: TenantContext, invitationId: string): Promise<InvitationView> {
    const limits = this.config.rateLimits;
    const secret = randomBytes(32).toString('base64url');
    const found = await this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, () =>
      this.invitations.lockOpen(ctx.tenantId, invitationId),
    );
    if (!found) throw new InvitationNotFoundError();
    await this.limits.hit('invitation-tenant', ctx.tenantId, limits.invitationTenant);
    await this.limits.hit('invitation-inviter', ctx.userId, limits.invitationInviter);
    await this.limits.hit('invitation-recipient', found.email, limits.invitationRecipient);
    return this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, async () => {
      const before = await this.invitations.lockOpen(ctx.tenantId, invitationId);
      if (!before) throw new InvitationNotFoundError();
      if (await this.memberships.isActiveMemberByEmail(ctx.tenantId, before.email)) throw new AlreadyMemberError();
      const row = await this.invitations.renew(ctx.tenantId, invitationId, sha256(secret), INVITATION_TTL_DAYS);
      await this.mails.queue(ctx, row.id, secret);
      await this.events.publish(this.db.em, {
        action: 'invitation.resent',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'invitation', id: row.id },
        data: { email: row.email, role: row.role, previousExpiresAt: iso(before.expiresAt), expiresAt: iso(row.expiresAt) },
        requestId: ctx.requestId,
      });
      return {
        id: row.id,
        email: row.email,
        role: row.role,
        expiresAt: iso(row.expiresAt),
        membershipExpiresAt: isoOrNull(row.membershipExpiresAt),
      };
    });
  }

  /** Revokes an open invitation: its link then answers INVITATION_REVOKED; a queued mail is skipped. */
  async revoke(ctx: TenantContext, invitationId: string): Promise<void> {
    await this.db.run({ tenantId: ctx.tenantId, userId: ctx.userId }, async () => {
      const row = await this.invitations.lockOpen(ctx.tenantId, invitationId);
      if (!row) throw new InvitationNotFoundError();
      await this.invitations.revoke(ctx.tenantId, invitationId, ctx.userId);
      await this.events.publish(this.db.em, {
        action: 'invitation.revoked',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'invitation', id: invitationId },
        data: { email: row.email, role: row.role },
        requestId: ctx.requestId,
      });
    });
  }

  /**
   * Joins the invited tenant. An existing account joins as it is; a new one needs a name and a
   * password and is logged in. The token works once.
   */
  async accept(req: RequestContext, input: AcceptInput): Promise<AcceptResult> {
    await this.limits.hit('invitation-accept', req.ip, this.config.rateLimits.invitationAccept);
    const m = TOKEN.exec(input.token);
    if (!m?.[1] || !m[2]) throw new InvitationInvalidError();
    const tenantId = m[1];
    const tokenHash = sha256(m[2]);
    return this.db.run({ tenantId, userId: null }, async () => {
      const inv = await this.invitations.lockPendingByToken(tenantId, tokenHash);
      if (!inv) {
        // A revoked link says so: its holder should ask the admin, not retry.
        if (await this.invitations.isRevokedToken(tenantId, tokenHash)) throw new InvitationRevokedError();
        throw new InvitationInvalidError();
      }
      const existing = await this.users.findByEmail(inv.email);
      let user = existing;
      let accountCreated = false;
      if (!user) {
        if (!input.name?.trim() || input.password === undefined) throw new AccountRequiredError();
        assertPasswordAcceptable(input.password, { email: inv.email, name: input.name });
        const created = await this.users.insert({
          email: inv.email,
          name: input.name.trim(),
          passwordHash: await hashPassword(input.password),
        });
        // Signed up meanwhile with this address: that account joins.
        user = created ? { ...created, passwordHash: '' } : await this.users.findByEmail(inv.email);
        if (!user) throw new Error('user insert returned no row');
        accountCreated = created !== null;
      }
      // Already a member (joined meanwhile): the existing membership stands.
      const role = await this.memberships.join(tenantId, user.id, inv.role, inv.membershipExpiresAt);
      await this.invitations.markAccepted(tenantId, inv.id, user.id);
      await this.events.publish(this.db.em, {
        action: 'member.joined',
        tenantId,
        actorId: user.id,
        entity: { type: 'membership', id: user.id },
        data: { invitationId: inv.id, role, accountCreated },
        requestId: req.requestId,
      });
      const view: UserView = userView(user);
      return {
        tenant: { id: tenantId, name: inv.tenantName },
        role,
        user: view,
        accountCreated,
        ...(accountCreated ? { tokens: await this.tokens.issue(user.id) } : {}),
      };
    });
  }
}

const openView = (r: OpenInvitationRecord): OpenInvitationView => ({
  id: r.id,
  email: r.email,
  role: r.role,
  state: r.expired ? 'expired' : 'pending',
  expiresAt: iso(r.expiresAt),
  membershipExpiresAt: isoOrNull(r.membershipExpiresAt),
  createdAt: iso(r.createdAt),
  invitedBy: { id: r.invitedBy, name: r.inviterName },
});
