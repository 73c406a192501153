import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../core';
import { TenantDb } from '../db';
import { RefreshTokenRepository } from './refresh-token.repository';
import { InvalidTokenError } from './tenancy.errors';

export const JWT_ISSUER = 'dutybook';
export const JWT_AUDIENCE = 'dutybook-api';
export const JWT_ALGORITHM = 'HS256';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** `<id>.<secret>`: the id finds the row, only the secret's hash is stored. */
function splitRefreshToken(token: string): { id: string; secret: string } | undefined {
  const m = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return m?.[1] && m[2] ? { id: m[1], secret: m[2] } : undefined;
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly db: TenantDb,
    private readonly refreshTokens: RefreshTokenRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A new login: a new refresh-token family (in the caller's unit of work, if any). */
  async issue(userId: string): Promise<TokenPair> {
    return this.issueInFamily(userId, randomUUID());
  }

  private async issueInFamily(userId: string, familyId: string): Promise<TokenPair> {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    await this.refreshTokens.insert({ id, userId, familyId, tokenHash: sha256(secret), ttlDays: this.config.refreshTokenTtlDays });
    const accessToken = await this.jwt.signAsync(
      // sid: the session (refresh-token family), so that a password change can end every other one.
      { typ: 'access', sid: familyId },
      {
        subject: userId,
        jwtid: randomUUID(),
        expiresIn: this.config.accessTokenTtlSeconds,
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        algorithm: JWT_ALGORITHM,
      },
    );
    return { accessToken, refreshToken: `${id}.${secret}`, tokenType: 'Bearer', expiresIn: this.config.accessTokenTtlSeconds };
  }

  /**
   * Spends a refresh token and returns a new pair in the same family. A token spent before
   * (stolen and replayed, or replayed by the thief after the owner used it) revokes the family.
   */
  async rotate(token: string): Promise<{ userId: string; pair: TokenPair }> {
    const parts = splitRefreshToken(token);
    if (!parts) throw new InvalidTokenError('REFRESH_TOKEN_INVALID', 'This refresh token is not valid: log in again.');
    // Not tenant-owned: a unit of work with no scope. The revocation of a reused family commits.
    const outcome = await this.db.run({ tenantId: null, userId: null }, async () => {
      const row = await this.refreshTokens.lock(parts.id);
      if (!row || !sameHash(row.tokenHash, sha256(parts.secret))) return { error: 'invalid' as const };
      if (row.usedAt || row.revokedAt) {
        await this.refreshTokens.revokeFamily(row.familyId);
        return { error: row.revokedAt && !row.usedAt ? ('invalid' as const) : ('reused' as const) };
      }
      if (row.expired) return { error: 'invalid' as const };
      await this.refreshTokens.markUsed(row.id);
      return { userId: row.userId, pair: await this.issueInFamily(row.userId, row.familyId) };
    });
    if ('error' in outcome) {
      throw outcome.error === 'reused'
        ? new InvalidTokenError(
            'REFRESH_TOKEN_REUSED',
            'This refresh token was already used: every session from that login is now ended. Log in again.',
          )
        : new InvalidTokenError('REFRESH_TOKEN_INVALID', 'This refresh token is not valid any more: log in again.');
    }
    return outcome;
  }

  /** Ends the session: the token's whole family. Unknown tokens are ignored (logout is idempotent). */
  async revokeFamily(token: string): Promise<void> {
    const parts = splitRefreshToken(token);
    if (!parts) return;
    await this.refreshTokens.revokeFamilyOf(parts.id, sha256(parts.secret));
  }
}
