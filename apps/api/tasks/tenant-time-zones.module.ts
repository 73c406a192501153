import { Global, Module } from '@nestjs/common';
import type { TenantContext } from '../../../libs/core';
import { TENANT_TIME_ZONES, type TenantTimeZones } from '../../../libs/tasks';
import { TenancyModule, TenantsService } from '../../../libs/tenancy';

/**
 * Binds libs/tasks' TenantTimeZones to libs/tenancy (tasks may not import tenancy): a new
 * subscription without a zone takes the tenant's, read and locked FOR SHARE in the subscribing
 * unit of work; the dashboard's trend reads it (docs/tenancy-admin.md, "Time zone").
 */
@Global()
@Module({
  imports: [TenancyModule],
  providers: [
    {
      provide: TENANT_TIME_ZONES,
      inject: [TenantsService],
      useFactory: (tenants: TenantsService): TenantTimeZones => ({
        zoneForNewSubscription: (ctx: TenantContext): Promise<string> => tenants.timeZone(ctx, { share: true }),
        zoneOf: (ctx: TenantContext): Promise<string> => tenants.timeZone(ctx),
      }),
    },
  ],
  exports: [TENANT_TIME_ZONES],
})
export class TenantTimeZonesModule {}
