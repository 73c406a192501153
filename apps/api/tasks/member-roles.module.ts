import { Global, Module } from '@nestjs/common';
import type { Role } from '../../../libs/core';
import { MEMBER_ROLES, type MemberRoles } from '../../../libs/tasks';
import { TenancyModule, TenantNotFoundError, TenantsService } from '../../../libs/tenancy';

/**
 * Binds libs/tasks' MemberRoles to libs/tenancy (tasks may not import tenancy): the same active
 * role the tenant guard resolves, from one membership rule.
 */
@Global()
@Module({
  imports: [TenancyModule],
  providers: [
    {
      provide: MEMBER_ROLES,
      inject: [TenantsService],
      useFactory: (tenants: TenantsService): MemberRoles => ({
        activeRole: async (tenantId: string, userId: string): Promise<Role | null> => {
          try {
            return await tenants.resolveRole(userId, tenantId);
          } catch (error) {
            if (error instanceof TenantNotFoundError) return null;
            throw error;
          }
        },
      }),
    },
  ],
  exports: [MEMBER_ROLES],
})
export class MemberRolesModule {}
