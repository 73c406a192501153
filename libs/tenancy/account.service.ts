import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, DOMAIN_EVENT_SINK, type AppConfig, type DomainEventSink, type RequestContext, type UserContext } from '../core';
import { TenantDb } from '../db';
import { AuthService } from './auth.service';
import { acceptedEmail } from './email-address';
import { assertPasswordAcceptable, hashPassword } from './password';
import { PasswordResetMails } from './password-reset-mail';
import { PasswordResetTokenRepository } from './password-reset-token.repository';
import { RateLimitService } from './rate-limit.service';
import { RefreshTokenRepository } from './refresh-token.repository';
import {
  CurrentPasswordInvalidError,
  CurrentPasswordRequiredError,
  InvalidTokenError,
  PasswordResetTokenExpiredError,
  PasswordResetTokenInvalidError,
} from './tenancy.errors';
import { userView, type UserView } from './tenancy.views';
import { sha256 } from './tokens.service';
import { UserRepository } from './user.repository';

/** How long a password reset link works. */
export const PASSWORD_RESET_TTL_MINUTES = 60;

/**
 * A reset request answers no sooner than this after it arrived, whether the address has an
 * account (a transaction and a queued job) or not (one read): the answer's timing must not tell.
 */
export const PASSWORD_RESET_ANSWER_MS = 250;

/** The secret of a reset link: 256 random bits, base64url. */
const RESET_SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface ProfileChange {
  name?: string;
  currentPassword?: string;
  newPassword?: string;
}

/** The signed-in caller, with the session (refresh-token family) its access token belongs to, when it names one. */
export interface SessionUser extends UserContext {
  readonly sessionId: string | null;
}

/** One's own account: password reset by mail, name and password changes (docs/security.md#password-reset). */
@Injectable()
export class AccountService {
  constructor(
    private readonly db: TenantDb,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    private readonly auth: AuthService,
    private readonly limits: RateLimitService,
    private readonly users: UserRepository,
    private readonly links: PasswordResetTokenRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly mails: PasswordResetMails,
  ) {}

  /**
   * Mails a reset link when an account uses the address; answers alike (and no sooner than
   * PASSWORD_RESET_ANSWER_MS) when none does. Counted per address, known or not, and per client
   * address. The link is stored (as a hash, superseding the account's previous live link) and its
   * mail queued in one unit of work; the worker sends it after commit.
   */
  async requestPasswordReset(req: RequestContext, rawEmail: string): Promise<void> {
    const started = Date.now();
    const email = acceptedEmail(rawEmail);
    const limits = this.config.rateLimits;
    await this.limits.hit('password-reset-ip', req.ip, limits.passwordResetIp);
    await this.limits.hit('password-reset-address', email, limits.passwordResetAddress);
    const user = await this.users.findByEmail(email);
    if (user) {
      const secret = randomBytes(32).toString('base64url');
      await this.db.run({ tenantId: null, userId: null }, async () => {
        const tokenId = await this.links.replacePending(user.id, sha256(secret), PASSWORD_RESET_TTL_MINUTES);
        await this.mails.queue(req.requestId, tokenId, secret);
      });
    }
    await this.events.publish(null, {
      action: 'auth.password_reset_requested',
      tenantId: null,
      actorId: user?.id ?? null,
      entity: { type: 'user', id: user?.id ?? email },
      data: { email, ip: req.ip, knownAccount: Boolean(user) },
      requestId: req.requestId,
    });
    const wait = started + PASSWORD_RESET_ANSWER_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /**
   * Spends a reset link: sets the new password (same policy as at sign-up), ends every session of
   * the account (all refresh-token families) and clears its failed-login delays and ceiling.
   * A malformed or unknown link is 400; a used, superseded or expired one 410.
   */
  async confirmPasswordReset(req: RequestContext, token: string, password: string): Promise<void> {
    await this.limits.hit('password-reset-confirm', req.ip, this.config.rateLimits.passwordResetConfirm);
    if (!RESET_SECRET.test(token)) throw new PasswordResetTokenInvalidError();
    const tokenHash = sha256(token);
    const account = await this.db.run({ tenantId: null, userId: null }, async () => {
      const link = await this.links.lockByHash(tokenHash);
      if (!link) throw new PasswordResetTokenInvalidError();
      if (link.usedAt || link.supersededAt || link.expired) throw new PasswordResetTokenExpiredError();
      const user = await this.users.findCredentialsById(link.userId);
      // The account went away meanwhile (its links are deleted with it): as if the link were unknown.
      if (!user) throw new PasswordResetTokenInvalidError();
      // A refused password leaves the link unspent: the user tries another one with the same link.
      assertPasswordAcceptable(password, { email: user.email, name: user.name });
      await this.users.updatePasswordHash(user.id, await hashPassword(password));
      await this.links.markUsed(link.id);
      const revoked = await this.refreshTokens.revokeAllOfUser(user.id, null);
      return { id: user.id, email: user.email, revoked };
    });
    // After commit (the counters live outside units of work): the owner is not kept waiting by
    // the delays a guesser ran up before the reset.
    await this.limits.clear('login-account', account.email);
    await this.limits.clearPrefix('login-source', `${account.email} `);
    await this.events.publish(null, {
      action: 'auth.password_reset',
      tenantId: null,
      actorId: account.id,
      entity: { type: 'user', id: account.id },
      data: { ip: req.ip, sessionsRevoked: account.revoked },
      requestId: req.requestId,
    });
  }

  /** The caller's own account. */
  async profile(user: UserContext): Promise<UserView> {
    const row = await this.users.findById(user.userId);
    if (!row) throw new InvalidTokenError('UNAUTHENTICATED', 'This account no longer exists.');
    return userView(row);
  }

  /**
   * Changes one's name and/or password. A new password needs the current one, checked and counted
   * like a login (a wrong one is 403 CURRENT_PASSWORD_INVALID), and ends every other session of
   * the account; the session that asked stays signed in.
   */
  async updateProfile(user: SessionUser, change: ProfileChange): Promise<UserView> {
    let passwordHash: string | null = null;
    if (change.newPassword !== undefined) {
      if (change.currentPassword === undefined) throw new CurrentPasswordRequiredError();
      const account = await this.users.findCredentialsById(user.userId);
      if (!account) throw new InvalidTokenError('UNAUTHENTICATED', 'This account no longer exists.');
      if (!(await this.auth.checkCurrentPassword(user, account.email, change.currentPassword))) throw new CurrentPasswordInvalidError();
      assertPasswordAcceptable(change.newPassword, { email: account.email, name: change.name ?? account.name });
      passwordHash = await hashPassword(change.newPassword);
    }
    const name = change.name?.trim();
    return this.db.run({ tenantId: null, userId: user.userId }, async () => {
      if (name !== undefined) await this.users.updateName(user.userId, name);
      if (passwordHash !== null) {
        const revoked = await this.refreshTokens.revokeAllOfUser(user.userId, user.sessionId);
        await this.users.updatePasswordHash(user.userId, passwordHash);
        await this.events.publish(null, {
          action: 'auth.password_changed',
          tenantId: null,
          actorId: user.userId,
          entity: { type: 'user', id: user.userId },
          data: { ip: user.ip, otherSessionsRevoked: revoked },
          requestId: user.requestId,
        });
      }
      const row = await this.users.findById(user.userId);
      if (!row) throw new InvalidTokenError('UNAUTHENTICATED', 'This account no longer exists.');
      return userView(row);
    });
  }
}
