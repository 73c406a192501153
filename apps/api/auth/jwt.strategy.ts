import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '../../../libs/core';
import { InvalidTokenError, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, jwtSecret } from '../../../libs/tenancy';

interface AccessPayload {
  sub?: unknown;
  typ?: unknown;
  iat?: unknown;
  exp?: unknown;
  /** The session (refresh-token family); tokens issued before it existed carry none. */
  sid?: unknown;
}

/** Clocks of api processes (and of the machine that signed) may differ by this much. */
export const CLOCK_SKEW_SECONDS = 30;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Bearer access tokens: HS256 only (pinned), our issuer and audience, not expired, and claims
 * shaped as this server issues them. jsonwebtoken checks `exp` only when present and never looks
 * at `iat`, so a token minted with the secret (a leaked one, a tool, an old version) could live
 * forever or be post-dated: the claims are checked here.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly maxLifetimeSeconds: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject made once: given a string, jsonwebtoken builds one on every verification.
      secretOrKey: createSecretKey(Buffer.from(jwtSecret(config))) as unknown as string,
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
    this.maxLifetimeSeconds = config.accessTokenTtlSeconds;
  }

  validate(payload: AccessPayload): { userId: string; sessionId: string | null } | false {
    if (payload.typ !== 'access') return false;
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp, sub } = payload;
    const problem =
      typeof exp !== 'number' || !Number.isFinite(exp)
        ? 'it has no expiry'
        : typeof iat !== 'number' || !Number.isFinite(iat)
          ? 'it has no issue time'
          : iat > now + CLOCK_SKEW_SECONDS
            ? 'it was issued in the future'
            : exp - iat > this.maxLifetimeSeconds
              ? 'its lifetime is longer than this server issues'
              : typeof sub !== 'string' || !UUID.test(sub)
                ? 'its subject is not a user id'
                : undefined;
    if (problem !== undefined || typeof sub !== 'string')
      throw new InvalidTokenError(
        'TOKEN_CLAIMS_INVALID',
        `This access token is not acceptable: ${problem ?? 'its subject is not a user id'}. Log in again.`,
      );
    return { userId: sub, sessionId: typeof payload.sid === 'string' && UUID.test(payload.sid) ? payload.sid : null };
  }
}
