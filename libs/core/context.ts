export const ROLES = ['admin', 'member', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking, resolved once per request. */
export interface RequestContext {
  readonly requestId: string;
  /** Client address as the api sees it (after trusted proxies). */
  readonly ip: string;
}

/** An authenticated user acting in one tenant, with their role there. Every tenant-owned call takes one. */
export interface TenantContext extends RequestContext {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
}

/** An authenticated user outside any tenant (GET /me, POST /tenants). */
export interface UserContext extends RequestContext {
  readonly userId: string;
}
