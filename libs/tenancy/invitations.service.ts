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
import { InvitationRepository } from './invitation.repository';
import { MembershipRepository } from './membership.repository';
import { assertPasswordAcceptable, hashPassword } from './password';
import { RateLimitService } from './rate-limit.service';
import { AccountRequiredError, AlreadyMemberError, InvitationInvalidError } from './tenancy.errors';
import { iso, isoOrNull, userView, type InvitationView, type UserView } from './tenancy.views';
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
      if (!inv) throw new InvitationInvalidError();
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
