import { Injectable } from '@nestjs/common';
import { RateLimitRepository } from './rate-limit.repository';
import { PasswordResetTokenRepository } from './password-reset-token.repository';
import { RefreshTokenRepository } from './refresh-token.repository';

export interface HousekeepingResult {
  readonly rateLimitWindows: number;
  readonly refreshTokens: number;
  readonly passwordResetTokens: number;
}

/**
 * Deletes what no check needs any more, so the tables stay small: rate-limit windows that ended
 * more than a day ago, and refresh tokens expired more than a day ago (spent and revoked ones
 * are kept until then: reuse detection needs them while they could still be presented), and
 * password reset links expired more than a day ago (until then a spent link answers 410, not 400).
 * Neither table is tenant-owned, so this runs without a tenant scope.
 */
@Injectable()
export class AuthHousekeeping {
  constructor(
    private readonly counters: RateLimitRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly resetLinks: PasswordResetTokenRepository,
  ) {}

  async prune(): Promise<HousekeepingResult> {
    return {
      rateLimitWindows: await this.counters.pruneOld(),
      refreshTokens: await this.refreshTokens.pruneExpired(),
      passwordResetTokens: await this.resetLinks.pruneExpired(),
    };
  }
}
