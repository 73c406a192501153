import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../core';
import { AccountService } from './account.service';
import { AuthService } from './auth.service';
import { PasswordResetMails } from './password-reset-mail';
import { PasswordResetTokenRepository } from './password-reset-token.repository';
import { AuthHousekeeping } from './housekeeping';
import { InvitationMails } from './invitation-mail';
import { InvitationRepository } from './invitation.repository';
import { InvitationsService } from './invitations.service';
import { jwtSecret } from './jwt-secret';
import { MembershipRepository } from './membership.repository';
import { RateLimitRepository } from './rate-limit.repository';
import { RefreshTokenRepository } from './refresh-token.repository';
import { TenantRepository } from './tenant.repository';
import { UserRepository } from './user.repository';
import { MembersService } from './members.service';
import { RateLimitService } from './rate-limit.service';
import { TenantsService } from './tenants.service';
import { JWT_ALGORITHM, TokensService } from './tokens.service';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: jwtSecret(config),
        signOptions: { algorithm: JWT_ALGORITHM },
        verifyOptions: { algorithms: [JWT_ALGORITHM] },
      }),
    }),
  ],
  providers: [
    UserRepository,
    TenantRepository,
    MembershipRepository,
    InvitationRepository,
    RefreshTokenRepository,
    RateLimitRepository,
    PasswordResetTokenRepository,
    AuthService,
    AccountService,
    PasswordResetMails,
    TokensService,
    RateLimitService,
    TenantsService,
    MembersService,
    InvitationsService,
    InvitationMails,
    AuthHousekeeping,
  ],
  // The repositories other libs may call (users' names, active members, tenant reminder settings).
  exports: [
    AuthService,
    AccountService,
    PasswordResetMails,
    TenantsService,
    MembersService,
    InvitationsService,
    InvitationMails,
    RateLimitService,
    AuthHousekeeping,
    UserRepository,
    TenantRepository,
    MembershipRepository,
  ],
})
export class TenancyModule {}
