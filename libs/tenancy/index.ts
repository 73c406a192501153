export { TenancyModule } from './tenancy.module';
export { jwtSecret } from './jwt-secret';
export { AuthService, type SignupInput } from './auth.service';
export {
  AccountService,
  PASSWORD_RESET_ANSWER_MS,
  PASSWORD_RESET_TTL_MINUTES,
  type ProfileChange,
  type SessionUser,
} from './account.service';
export {
  PasswordResetMails,
  PASSWORD_RESET_MAIL_QUEUE,
  type PasswordResetMailJob,
  type PasswordResetMailOutcome,
} from './password-reset-mail';
export { TenantsService, TENANT_DATA_PURGES, type TenantDataPurge } from './tenants.service';
export { MembersService, type MemberChange } from './members.service';
export { InvitationsService, INVITATION_TTL_DAYS, type AcceptInput, type AcceptResult, type InviteInput } from './invitations.service';
export { InvitationMails, INVITATION_MAIL_QUEUE, type InvitationMailJob, type InvitationMailOutcome } from './invitation-mail';
export { RateLimitService } from './rate-limit.service';
export { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, type TokenPair } from './tokens.service';
export { PASSWORD_MAX, PASSWORD_MIN } from './password';
export { TENANCY_ENTITIES } from './tenancy.entities';
export { TenantEntity } from './tenant.entity';
export { UserEntity } from './user.entity';
export { UserRepository, type UserRecord } from './user.repository';
export { TenantRepository, TENANCY_QUERIES, type ReminderSettings, type TenantRecord } from './tenant.repository';
export { MembershipRepository, type MemberRecord } from './membership.repository';
export * from './tenancy.errors';
export type { InvitationView, OpenInvitationView, MemberView, MembershipView, Page, TenantView, UserView } from './tenancy.views';
export { AuthHousekeeping, type HousekeepingResult } from './housekeeping';
