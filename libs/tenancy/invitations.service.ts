import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  DOMAIN_EVENT_SINK,
  type AppConfig,
  type DomainEventSink,
  type RequestContext,
  type Role,
  type TenantContext,
} from '../core';
import { inScope } from '../db';
import { Mailer, renderMail } from '../notify';
import { assertPasswordAcceptable, hashPassword } from './password';
import { RateLimitService } from './rate-limit.service';
import { AccountRequiredError, AlreadyMemberError, InvitationInvalidError } from './tenancy.errors';
import { iso, isoOrNull, normalizeEmail, type InvitationView, type UserView } from './tenancy.views';
import { sha256, TokensService, type TokenPair } from './tokens.service';

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
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    private readonly mailer: Mailer,
    private readonly limits: RateLimitService,
    private readonly tokens: TokensService,
  ) {}

  /**
   * Stores the invitation (replacing a pending one for the same address) and mails the link,
   * in one transaction: if the mail server refuses, nothing is stored.
   */
  async invite(ctx: TenantContext, input: InviteInput): Promise<InvitationView> {
    const email = normalizeEmail(input.email);
    // The token names its tenant so acceptance can set the row-level-security scope.
    const secret = randomBytes(32).toString('base64url');
    const token = `${ctx.tenantId}.${secret}`;
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const member = await em.query<unknown[]>(
        `SELECT 1 FROM membership m JOIN app_user u ON u.id = m.user_id
          WHERE m.tenant_id = $1 AND u.email = $2 AND (m.expires_at IS NULL OR m.expires_at > now())`,
        [ctx.tenantId, email],
      );
      if (member.length > 0) throw new AlreadyMemberError();
      await em.query('DELETE FROM invitation WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL', [ctx.tenantId, email]);
      const [row] = await em.query<{ id: string; expires_at: Date; membership_expires_at: Date | null }[]>(
        `INSERT INTO invitation (tenant_id, email, role, membership_expires_at, token_hash, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7))
         RETURNING id, expires_at, membership_expires_at`,
        [ctx.tenantId, email, input.role, input.expiresAt ?? null, sha256(secret), ctx.userId, INVITATION_TTL_DAYS],
      );
      if (!row) throw new Error('invitation insert returned no row');
      const [names] = await em.query<{ tenant: string; inviter: string }[]>(
        'SELECT t.name AS tenant, u.name AS inviter FROM tenant t, app_user u WHERE t.id = $1 AND u.id = $2',
        [ctx.tenantId, ctx.userId],
      );
      const tenantName = names?.tenant ?? 'a Dutybook organisation';
      const link = `${this.config.publicUrl}/invitations/accept?token=${encodeURIComponent(token)}`;
      const body = renderMail({
        title: `Join ${tenantName} on Dutybook`,
        paragraphs: [
          `${names?.inviter ?? 'An admin'} invites you to ${tenantName} on Dutybook as ${input.role}.`,
          `The link works once and expires on ${iso(row.expires_at).slice(0, 10)}.`,
        ],
        action: { label: 'Accept the invitation', url: link },
        footer: 'If you did not expect this invitation, ignore this mail.',
      });
      await this.mailer.send({ to: email, subject: `Invitation to ${tenantName} on Dutybook`, text: body.text, html: body.html });
      // Last: the audit append locks the tenant's chain head until commit, so it must not wait on SMTP.
      await this.events.publish(em, {
        action: 'member.invited',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'invitation', id: row.id },
        data: { email, role: input.role, membershipExpiresAt: isoOrNull(row.membership_expires_at) },
        requestId: ctx.requestId,
      });
      return {
        id: row.id,
        email,
        role: input.role,
        expiresAt: iso(row.expires_at),
        membershipExpiresAt: isoOrNull(row.membership_expires_at),
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
    return inScope(this.ds, { tenantId, userId: null }, async (em) => {
      const [inv] = await em.query<{ id: string; email: string; role: Role; membership_expires_at: Date | null; tenant_name: string }[]>(
        `SELECT i.id, i.email, i.role, i.membership_expires_at, t.name AS tenant_name
           FROM invitation i JOIN tenant t ON t.id = i.tenant_id
          WHERE i.tenant_id = $1 AND i.token_hash = $2 AND i.accepted_at IS NULL AND i.expires_at > now()
          FOR UPDATE OF i`,
        [tenantId, tokenHash],
      );
      if (!inv) throw new InvitationInvalidError();
      let [user] = await em.query<{ id: string; email: string; name: string; created_at: Date }[]>(
        'SELECT id, email, name, created_at FROM app_user WHERE email = $1',
        [inv.email],
      );
      let accountCreated = false;
      if (!user) {
        if (!input.name?.trim() || input.password === undefined) throw new AccountRequiredError();
        assertPasswordAcceptable(input.password, { email: inv.email, name: input.name });
        [user] = await em.query<{ id: string; email: string; name: string; created_at: Date }[]>(
          'INSERT INTO app_user (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id, email, name, created_at',
          [inv.email, input.name.trim(), await hashPassword(input.password)],
        );
        if (!user) throw new Error('user insert returned no row');
        accountCreated = true;
      }
      // Already a member (joined meanwhile): the existing membership stands.
      await em.query(
        `INSERT INTO membership (tenant_id, user_id, role, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = EXCLUDED.role, expires_at = EXCLUDED.expires_at, updated_at = now()
         WHERE membership.expires_at IS NOT NULL AND membership.expires_at <= now()`,
        [tenantId, user.id, inv.role, inv.membership_expires_at],
      );
      await em.query('UPDATE invitation SET accepted_at = now(), accepted_by = $2 WHERE id = $1', [inv.id, user.id]);
      const [membership] = await em.query<{ role: Role }[]>('SELECT role FROM membership WHERE tenant_id = $1 AND user_id = $2', [
        tenantId,
        user.id,
      ]);
      await this.events.publish(em, {
        action: 'member.joined',
        tenantId,
        actorId: user.id,
        entity: { type: 'membership', id: user.id },
        data: { invitationId: inv.id, role: membership?.role ?? inv.role, accountCreated },
        requestId: req.requestId,
      });
      const view: UserView = { id: user.id, email: user.email, name: user.name, createdAt: iso(user.created_at) };
      return {
        tenant: { id: tenantId, name: inv.tenant_name },
        role: membership?.role ?? inv.role,
        user: view,
        accountCreated,
        ...(accountCreated ? { tokens: await this.tokens.issue(em, user.id) } : {}),
      };
    });
  }
}
