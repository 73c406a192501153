import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, DOMAIN_EVENT_SINK, type AppConfig, type DomainEventSink, type RequestContext } from '../core';
import { inScope } from '../db';
import { assertPasswordAcceptable, dummyPasswordHash, hashPassword, verifyPassword } from './password';
import { RateLimitService } from './rate-limit.service';
import { EmailTakenError, InvalidCredentialsError, SignupClosedError } from './tenancy.errors';
import { iso, normalizeEmail, type TenantView, type UserView } from './tenancy.views';
import { TokensService, type TokenPair } from './tokens.service';

export interface SignupInput {
  email: string;
  password: string;
  name: string;
  organization: string;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  created_at: Date;
  password_hash: string;
}

const toUser = (r: Omit<UserRow, 'password_hash'>): UserView => ({ id: r.id, email: r.email, name: r.name, createdAt: iso(r.created_at) });

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    private readonly limits: RateLimitService,
    private readonly tokens: TokensService,
  ) {}

  /** A new account and its organisation (tenant), where it is admin. */
  async signup(req: RequestContext, input: SignupInput): Promise<TokenPair & { user: UserView; tenant: TenantView }> {
    if (!this.config.signupOpen) throw new SignupClosedError();
    await this.limits.hit('signup', req.ip, this.config.rateLimits.signup);
    const email = normalizeEmail(input.email);
    assertPasswordAcceptable(input.password, { email, name: input.name });
    if ((await this.ds.query<unknown[]>('SELECT 1 FROM app_user WHERE email = $1', [email])).length > 0) throw new EmailTakenError();
    const passwordHash = await hashPassword(input.password);
    const tenantId = randomUUID();
    return inScope(this.ds, { tenantId, userId: null }, async (em) => {
      const [user] = await em.query<UserRow[]>(
        `INSERT INTO app_user (email, name, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO NOTHING RETURNING id, email, name, created_at`,
        [email, input.name.trim(), passwordHash],
      );
      // Lost a race with another sign-up of the same address.
      if (!user) throw new EmailTakenError();
      const [tenant] = await em.query<{ id: string; name: string; created_at: Date }[]>(
        'INSERT INTO tenant (id, name, created_by) VALUES ($1, $2, $3) RETURNING id, name, created_at',
        [tenantId, input.organization.trim(), user.id],
      );
      await em.query("INSERT INTO membership (tenant_id, user_id, role) VALUES ($1, $2, 'admin')", [tenantId, user.id]);
      await this.events.publish(em, {
        action: 'user.signed_up',
        tenantId,
        actorId: user.id,
        entity: { type: 'user', id: user.id },
        data: { email },
        requestId: req.requestId,
      });
      await this.events.publish(em, {
        action: 'tenant.created',
        tenantId,
        actorId: user.id,
        entity: { type: 'tenant', id: tenantId },
        data: { name: tenant?.name },
        requestId: req.requestId,
      });
      const pair = await this.tokens.issue(em, user.id);
      return {
        ...pair,
        user: toUser(user),
        tenant: { id: tenantId, name: tenant?.name ?? input.organization, createdAt: iso(tenant?.created_at ?? new Date()), role: 'admin' },
      };
    });
  }

  /**
   * Checks a password. Unknown email and wrong password fail alike, in about the same time
   * (a dummy hash is verified for unknown emails), and both count against the limits.
   */
  async verifyCredentials(req: RequestContext, rawEmail: string, password: string): Promise<UserView> {
    const email = normalizeEmail(rawEmail);
    await this.limits.check('login-account', email, this.config.rateLimits.loginAccount);
    await this.limits.check('login-ip', req.ip, this.config.rateLimits.loginIp);
    const [row] = await this.ds.query<UserRow[]>('SELECT id, email, name, created_at, password_hash FROM app_user WHERE email = $1', [
      email,
    ]);
    const valid = await verifyPassword(row?.password_hash ?? (await dummyPasswordHash()), password);
    if (!row || !valid) {
      await this.limits.record('login-account', email, this.config.rateLimits.loginAccount);
      await this.limits.record('login-ip', req.ip, this.config.rateLimits.loginIp);
      await this.events.publish(null, {
        action: 'auth.login_failed',
        tenantId: null,
        actorId: row?.id ?? null,
        entity: { type: 'user', id: row?.id ?? email },
        data: { email, ip: req.ip, knownAccount: Boolean(row) },
        requestId: req.requestId,
      });
      throw new InvalidCredentialsError();
    }
    await this.limits.clear('login-account', email);
    return toUser(row);
  }

  async login(user: UserView): Promise<TokenPair & { user: UserView }> {
    return this.ds.transaction(async (em) => ({ ...(await this.tokens.issue(em, user.id)), user }));
  }

  async refresh(req: RequestContext, refreshToken: string): Promise<TokenPair> {
    await this.limits.hit('refresh', req.ip, this.config.rateLimits.refresh);
    return (await this.tokens.rotate(refreshToken)).pair;
  }

  async logout(refreshToken: string): Promise<void> {
    await this.tokens.revokeFamily(refreshToken);
  }

  /** Still an account? (A token may outlive its user.) */
  async userExists(userId: string): Promise<boolean> {
    return (await this.ds.query<unknown[]>('SELECT 1 FROM app_user WHERE id = $1', [userId])).length > 0;
  }
}
