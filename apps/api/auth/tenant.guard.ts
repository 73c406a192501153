import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CORE_ERRORS, DomainError, ForbiddenRoleError, type Role } from '../../../libs/core';
import { TenantsService } from '../../../libs/tenancy';
import { requestContextOf, type AuthedRequest } from './request-context';
import { ROLES_KEY } from './roles.decorator';

/**
 * Global, after authentication: on routes with :tenantId, resolves the caller's membership into
 * a TenantContext (404 TENANT_NOT_FOUND when there is none) and checks @Roles.
 */
@Injectable()
export class TenantGuard implements CanActivate {
  private readonly logger = new Logger(TenantGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly tenants: TenantsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest & { params: Record<string, string | undefined> }>();
    const tenantId = request.params.tenantId;
    if (tenantId === undefined) return true;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!allowed || allowed.length === 0) {
      // Deny by default: a tenant route must say who may use it.
      this.logger.error(`route ${request.method} ${request.url} has no @Roles: refused`);
      throw new DomainError(CORE_ERRORS.FORBIDDEN, 'This action is not open to any role.');
    }
    if (!request.user) throw new DomainError(CORE_ERRORS.UNAUTHENTICATED, 'Send a valid access token.');
    const role = await this.tenants.resolveRole(request.user.userId, tenantId);
    request.tenantContext = { ...requestContextOf(request), tenantId, userId: request.user.userId, role };
    request.logContext = { tenantId, userId: request.user.userId };
    if (!allowed.includes(role)) throw new ForbiddenRoleError(role, allowed);
    return true;
  }
}
