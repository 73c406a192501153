import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { AuthService, type UserView } from '../../../libs/tenancy';
import { requestContextOf } from './request-context';

/** Email + password, checked by AuthService (rate limits, equal-time failures). */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true, session: false });
  }

  validate(request: FastifyRequest, email: string, password: string): Promise<UserView> {
    return this.auth.verifyCredentials(requestContextOf(request), email, password);
  }
}
