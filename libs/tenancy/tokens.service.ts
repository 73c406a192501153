import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../core';
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

interface RefreshRow {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  expired: boolean;
  used_at: Date | null;
  revoked_at: Date | null;
}

@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A new login: a new refresh-token family. */
  async issue(em: EntityManager, userId: string): Promise<TokenPair> {
    return this.issueInFamily(em, userId, randomUUID());
  }

  private async issueInFamily(em: EntityManager, userId: string, familyId: string): Promise<TokenPair> {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    await em.query(
      `INSERT INTO refresh_token (id, user_id, family_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))`,
      [id, userId, familyId, sha256(secret), this.config.refreshTokenTtlDays],
    );
    const accessToken = await this.jwt.signAsync(
      { typ: 'access' },
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
    const outcome = await this.ds.transaction(async (em) => {
      const [row] = await em.query<RefreshRow[]>(
        `SELECT id, user_id, family_id, token_hash, expires_at <= now() AS expired, used_at, revoked_at
           FROM refresh_token WHERE id = $1 FOR UPDATE`,
        [parts.id],
      );
      if (!row || !sameHash(row.token_hash, sha256(parts.secret))) return { error: 'invalid' as const };
      if (row.used_at || row.revoked_at) {
        await em.query('UPDATE refresh_token SET revoked_at = coalesce(revoked_at, now()) WHERE family_id = $1', [row.family_id]);
        return { error: row.revoked_at && !row.used_at ? ('invalid' as const) : ('reused' as const) };
      }
      if (row.expired) return { error: 'invalid' as const };
      await em.query('UPDATE refresh_token SET used_at = now() WHERE id = $1', [row.id]);
      return { userId: row.user_id, pair: await this.issueInFamily(em, row.user_id, row.family_id) };
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
    await this.ds.query(
      `UPDATE refresh_token SET revoked_at = coalesce(revoked_at, now())
        WHERE family_id = (SELECT family_id FROM refresh_token WHERE id = $1 AND token_hash = $2)`,
      [parts.id, sha256(parts.secret)],
    );
  }
}
