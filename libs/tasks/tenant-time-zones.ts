import type { TenantContext } from '../core';

/**
 * The tenant's time zone, which a new subscription takes when none is given: the zone lives on
 * `tenant` (libs/tenancy, not below tasks), so the app binds this interface to tenancy (like
 * MemberRoles). Called inside the subscribing unit of work; the binding keeps the tenant row
 * locked FOR SHARE until it ends, so a concurrent change of the tenant's zone, which realigns
 * every subscription, waits for the new one and realigns it too.
 */
export interface TenantTimeZones {
  zoneForNewSubscription(ctx: TenantContext): Promise<string>;
}

export const TENANT_TIME_ZONES = Symbol('TENANT_TIME_ZONES');
