import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, DOMAIN_EVENT_SINK, iso, type AppConfig, type DomainEventSink, type RequestContext } from '../core';
import { TenantDb } from '../db';
import { acceptedEmail } from './email-address';
import { MembershipRepository } from './membership.repository';
import { assertPasswordAcceptable, dummyPasswordHash, hashPassword, verifyPassword } from './password';
import { RateLimitService } from './rate-limit.service';
import { EmailTakenError, InvalidCredentialsError, SignupClosedError } from './tenancy.errors';
import { TenantRepository } from './tenant.repository';
import { userView, type TenantView, type UserView } from './tenancy.views';
import { TokensService, type TokenPair } from './tokens.service';
import { UserRepository, type UserCredentials } from './user.repository';

export interface SignupInput {
  email: string;
  password: string;
  name: string;
  organization: string;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly db: TenantDb,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    private readonly limits: RateLimitService,
    private readonly tokens: TokensService,
    private readonly users: UserRepository,
    private readonly tenants: TenantRepository,
    private readonly memberships: MembershipRepository,
  ) {}

  /** A new account and its organisation (tenant), where it is admin. */
  async signup(req: RequestContext, input: SignupInput): Promise<TokenPair & { user: UserView; tenant: TenantView }> {
    if (!this.config.signupOpen) throw new SignupClosedError();
    await this.limits.hit('signup', req.ip, this.config.rateLimits.signup);
    const email = acceptedEmail(input.email);
    assertPasswordAcceptable(input.password, { email, name: input.name });
    if (await this.users.emailTaken(email)) throw new EmailTakenError();
    const passwordHash = await hashPassword(input.password);
    const tenantId = randomUUID();
    return this.db.run({ tenantId, userId: null }, async () => {
      const user = await this.users.insert({ email, name: input.name.trim(), passwordHash });
      // Lost a race with another sign-up of the same address.
      if (!user) throw new EmailTakenError();
      const tenant = await this.tenants.insert({ id: tenantId, name: input.organization.trim(), createdBy: user.id });
      await this.memberships.add(tenantId, user.id, 'admin');
      await this.events.publish(this.db.em, {
        action: 'user.signed_up',
        tenantId,
        actorId: user.id,
        entity: { type: 'user', id: user.id },
        data: { email },
        requestId: req.requestId,
      });
      await this.events.publish(this.db.em, {
        action: 'tenant.created',
        tenantId,
        actorId: user.id,
        entity: { type: 'tenant', id: tenantId },
        data: { name: tenant.name },
        requestId: req.requestId,
      });
      const pair = await this.tokens.issue(user.id);
      return {
        ...pair,
        user: userView(user),
        tenant: { id: tenantId, name: tenant.name, createdAt: iso(tenant.createdAt), role: 'admin' },
      };
    });
  }

  /**
   * Checks a password. Unknown email and wrong password fail alike, in about the same time
   * (a dummy hash is verified for unknown emails), and both count against the limits.
   *
   * Failures are limited so that a stranger cannot lock the owner out: per (account, client
   * address) the first failures are free and then each attempt waits longer (1 s, 2 s, 4 s, ...),
   * which stops guessing from one place without touching the owner elsewhere; a higher ceiling
   * per account bounds a guess spread over many addresses; a ceiling per address bounds one
   * address trying many accounts. All are sliding windows. A success clears only its own
   * (account, address) delays: the ceilings keep counting, or each login of the owner would hand
   * a distributed guesser a fresh allowance.
   */
  async verifyCredentials(req: RequestContext, rawEmail: string, password: string): Promise<UserView> {
    // An exotic address cannot belong to an account: refused before any counter or hash.
    const email = acceptedEmail(rawEmail);
    const row = await this.attempt(req, email, password, 'login');
    if (!row) throw new InvalidCredentialsError();
    return userView(row);
  }

  /**
   * The current password of a signed-in account (PATCH /me), checked and counted exactly like a
   * login: a stolen access token cannot be used to guess the password faster than a login could.
   */
  async checkCurrentPassword(req: RequestContext, email: string, password: string): Promise<boolean> {
    return (await this.attempt(req, email, password, 'password-change')) !== null;
  }

  /** One counted password attempt (see verifyCredentials): the account, or null when it failed. */
  private async attempt(
    req: RequestContext,
    email: string,
    password: string,
    context: 'login' | 'password-change',
  ): Promise<UserCredentials | null> {
    const source = `${email} ${req.ip}`;
    const limits = this.config.rateLimits;
    await this.limits.checkBackoff('login-source', source, limits.loginAccountSource);
    await this.limits.check('login-account', email, limits.loginAccount);
    await this.limits.check('login-ip', req.ip, limits.loginIp);
    const row = await this.users.findByEmail(email);
    const valid = await verifyPassword(row?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!row || !valid) {
      await this.limits.record('login-source', source, limits.loginAccountSource);
      await this.limits.record('login-account', email, limits.loginAccount);
      await this.limits.record('login-ip', req.ip, limits.loginIp);
      await this.events.publish(null, {
        action: 'auth.login_failed',
        tenantId: null,
        actorId: row?.id ?? null,
        entity: { type: 'user', id: row?.id ?? email },
        data: { email, ip: req.ip, knownAccount: Boolean(row), context },
        requestId: req.requestId,
      });
      return null;
    }
    await this.limits.clear('login-source', source);
    return row;
  }

  async login(user: UserView): Promise<TokenPair & { user: UserView }> {
    return { ...(await this.tokens.issue(user.id)), user };
  }

  async refresh(req: RequestContext, refreshToken: string): Promise<TokenPair> {
    await this.limits.hit('refresh', req.ip, this.config.rateLimits.refresh);
    return (await this.tokens.rotate(refreshToken)).pair;
  }

  async logout(refreshToken: string): Promise<void> {
    await this.tokens.revokeFamily(refreshToken);
  }

  /** Still an account? (A token may outlive its user.) */
  userExists(userId: string): Promise<boolean> {
    return this.users.exists(userId);
  }
}
