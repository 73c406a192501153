import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import path from 'node:path';
import { APP_CONFIG, type AppConfig } from '../core';
import { readOrCreateSecret } from '../db';
import { AuthService } from './auth.service';
import { InvitationsService } from './invitations.service';
import { MembersService } from './members.service';
import { RateLimitService } from './rate-limit.service';
import { TenantsService } from './tenants.service';
import { JWT_ALGORITHM, TokensService } from './tokens.service';

/** JWT_SECRET, or (single-machine default) a secret generated once under DATA_DIR, mode 600. */
export function jwtSecret(config: AppConfig): string {
  return config.jwtSecret ?? readOrCreateSecret(path.join(config.dataDir, 'jwt.secret'));
}

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
  providers: [AuthService, TokensService, RateLimitService, TenantsService, MembersService, InvitationsService],
  exports: [AuthService, TenantsService, MembersService, InvitationsService, RateLimitService],
})
export class TenancyModule {}
