import type { TenantContext } from '../core';

/**
 * The tenant's time zone: the zone lives on `tenant` (libs/tenancy, not below tasks), so the app
 * binds this interface to tenancy (like MemberRoles).
 */
export interface TenantTimeZones {
  /**
   * The zone a new subscription takes when none is given. Called inside the subscribing unit of
   * work; the binding keeps the tenant row locked FOR SHARE until it ends, so a concurrent change
   * of the tenant's zone, which realigns every subscription, waits for the new one and realigns it.
   */
  zoneForNewSubscription(ctx: TenantContext): Promise<string>;
  /** The zone, read without a lock (the dashboard's weekly trend). */
  zoneOf(ctx: TenantContext): Promise<string>;
}

export const TENANT_TIME_ZONES = Symbol('TENANT_TIME_ZONES');
