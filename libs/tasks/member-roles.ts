import type { Role } from '../core';

/**
 * Who may carry out duties: libs/tasks needs a person's active role in a tenant (to check an
 * assignee), but the memberships are libs/tenancy's, which is not below tasks. The app binds this
 * interface to tenancy (like DomainEventSink to the audit trail).
 */
export interface MemberRoles {
  /** The user's role in the tenant while the membership is active, else null. */
  activeRole(tenantId: string, userId: string): Promise<Role | null>;
}

export const MEMBER_ROLES = Symbol('MEMBER_ROLES');
