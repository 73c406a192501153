import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../../../libs/core';
import { InvalidTokenError } from '../../../libs/tenancy';
import type { AuthedRequest } from './request-context';

/** Global: every route needs a valid access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends PassportAuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic === true) return true;
    return super.canActivate(context) as Promise<boolean>;
  }

  override handleRequest<TUser>(error: unknown, user: TUser, info: unknown, context: ExecutionContext): TUser {
    // The strategy's own verdict on the claims keeps its code.
    if (error instanceof InvalidTokenError) throw error;
    if (error || !user) {
      const expired = info instanceof Error && info.name === 'TokenExpiredError';
      throw expired
        ? new InvalidTokenError('TOKEN_EXPIRED', 'The access token has expired: get a new one with POST /api/v1/auth/refresh.')
        : new InvalidTokenError(
            'UNAUTHENTICATED',
            'Send a valid access token: Authorization: Bearer <token> (POST /api/v1/auth/login gives one).',
          );
    }
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    request.logContext = { userId: (user as unknown as { userId: string }).userId };
    return user;
  }
}
