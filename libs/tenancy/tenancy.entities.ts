import { InvitationEntity } from './invitation.entity';
import { MembershipEntity } from './membership.entity';
import { PasswordResetTokenEntity } from './password-reset-token.entity';
import { RateLimitHitEntity } from './rate-limit-hit.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { TenantEntity } from './tenant.entity';
import { UserEntity } from './user.entity';

/** Every table libs/tenancy owns: app_user, tenant, membership, invitation, refresh_token, rate_limit_hit, password_reset_token. */
export const TENANCY_ENTITIES = [
  UserEntity,
  TenantEntity,
  MembershipEntity,
  InvitationEntity,
  RefreshTokenEntity,
  RateLimitHitEntity,
  PasswordResetTokenEntity,
];
