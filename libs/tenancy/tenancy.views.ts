import type { Role } from '../core';

export interface UserView {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

export interface TenantView {
  id: string;
  name: string;
  createdAt: string;
  /** The caller's role in it. */
  role: Role;
}

export interface MembershipView {
  tenantId: string;
  tenantName: string;
  role: Role;
  expiresAt: string | null;
}

export interface MemberView {
  userId: string;
  email: string;
  name: string;
  role: Role;
  expiresAt: string | null;
  joinedAt: string;
}

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  membershipExpiresAt: string | null;
}

/** An invitation not yet accepted nor revoked, as the invitations list shows it. */
export interface OpenInvitationView extends InvitationView {
  /** `expired`: its link no longer works; resend it for a new one. */
  state: 'pending' | 'expired';
  createdAt: string;
  invitedBy: { id: string; name: string | null };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

import { iso } from '../core';
export { iso, isoOrNull } from '../core';

/** The view of an account record (never its password hash). */
export const userView = (u: { id: string; email: string; name: string; createdAt: Date | string }): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  createdAt: iso(u.createdAt),
});
