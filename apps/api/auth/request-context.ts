import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext, TenantContext, UserContext } from '../../../libs/core';
import type { SessionUser } from '../../../libs/tenancy';

/** What the guards attach to the request. */
export interface AuthedRequest extends FastifyRequest {
  user?: { userId: string; sessionId?: string | null };
  tenantContext?: TenantContext;
  logContext?: { tenantId?: string; userId?: string };
}

export function requestContextOf(request: FastifyRequest): RequestContext {
  return { requestId: request.id, ip: request.ip };
}

/** The request id and client address. */
export const Req = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestContext =>
  requestContextOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

/** The authenticated user; the global auth guard guarantees one on non-public routes. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): UserContext => {
  const request = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!request.user) throw new Error('CurrentUser on a route without authentication');
  return { ...requestContextOf(request), userId: request.user.userId };
});

/** The tenant context resolved by the tenant guard for routes under /tenants/:tenantId. */
export const Tenant = createParamDecorator((_data: unknown, ctx: ExecutionContext): TenantContext => {
  const request = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!request.tenantContext) throw new Error('Tenant on a route without :tenantId');
  return request.tenantContext;
});

/** The authenticated user and the session its access token belongs to (null for tokens that name none). */
export const CurrentSession = createParamDecorator((_data: unknown, ctx: ExecutionContext): SessionUser => {
  const request = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!request.user) throw new Error('CurrentSession on a route without authentication');
  return { ...requestContextOf(request), userId: request.user.userId, sessionId: request.user.sessionId ?? null };
});
