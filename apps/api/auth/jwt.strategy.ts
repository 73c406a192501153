import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '../../../libs/core';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, jwtSecret } from '../../../libs/tenancy';

interface AccessPayload {
  sub?: unknown;
  typ?: unknown;
}

/** Bearer access tokens: HS256 only (pinned), our issuer and audience, not expired. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
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
  }

  validate(payload: AccessPayload): { userId: string } | false {
    if (payload.typ !== 'access' || typeof payload.sub !== 'string') return false;
    return { userId: payload.sub };
  }
}
