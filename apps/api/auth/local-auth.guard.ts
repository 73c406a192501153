import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../../libs/core';
import { LoginDto } from './auth.dto';

/**
 * Guards run before pipes: the login body is validated here, so a malformed one answers 400
 * like every other endpoint instead of passport's 401 "missing credentials".
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const body: unknown = context.switchToHttp().getRequest<FastifyRequest>().body;
    const dto = plainToInstance(LoginDto, body ?? {});
    const errors =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? await validate(dto, { whitelist: true, forbidNonWhitelisted: true })
        : [];
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ValidationError('The request is not valid: send a JSON object {email, password}.', [
        { field: 'body', problems: ['must be a JSON object'] },
      ]);
    }
    if (errors.length > 0) {
      const details = errors.map((e) => ({ field: e.property, problems: Object.values(e.constraints ?? {}) }));
      throw new ValidationError(`The request is not valid: ${details.map((d) => d.problems[0]).join('; ')}.`, details);
    }
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser): TUser {
    if (error instanceof Error) throw error;
    if (error !== null && error !== undefined) throw new Error('login failed', { cause: error });
    return user;
  }
}
