import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Module } from '@nestjs/common';
import { SCHEMA } from '../../apps/runtime/schema';
import { dataSourceOptions, DbModule, TenantDb } from '../db';
import { RateLimitRepository } from './rate-limit.repository';
import { PasswordResetTokenRepository } from './password-reset-token.repository';
import { RefreshTokenRepository } from './refresh-token.repository';
import { createTestDatabase, query, quietLogger, type TestDatabase } from '../../test/harness/database';
import { AuthHousekeeping } from './housekeeping';
import { insertPasswordResetLink, insertRateLimitWindow, insertRefreshToken, insertUser } from '../../test/factories/tenancy';

let db: TestDatabase;
let app: INestApplicationContext;
beforeAll(async () => {
  db = await createTestDatabase({ seed: false });
  @Module({
    imports: [
      TypeOrmModule.forRoot(
        dataSourceOptions({ url: db.appUrl, poolSize: 2, applicationName: 'housekeeping-test' }, SCHEMA, quietLogger()),
      ),
      DbModule.forRoot(),
    ],
    providers: [RateLimitRepository, RefreshTokenRepository, PasswordResetTokenRepository, AuthHousekeeping],
  })
  class HousekeepingTestModule {}
  app = await NestFactory.createApplicationContext(HousekeepingTestModule, { logger: false });
  expect(app.get(TenantDb)).toBeDefined();
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

it('prunes old rate-limit windows, long-expired refresh tokens and reset links, as the app role, and nothing else', async () => {
  const housekeeping = app.get(AuthHousekeeping);
  const user = await insertUser(db.adminUrl, { email: 'h@x.test', name: 'H' });
  await insertRateLimitWindow(db.adminUrl, { bucket: 'signup', key: 'old', ageSeconds: 2 * 86400, hits: 3 });
  await insertRateLimitWindow(db.adminUrl, { bucket: 'signup', key: 'new', ageSeconds: 3600, hits: 1 });
  await insertRefreshToken(db.adminUrl, { userId: user.id, tokenHash: 'a'.repeat(64), expiresInHours: -72, usedHoursAgo: 240 });
  await insertRefreshToken(db.adminUrl, { userId: user.id, tokenHash: 'b'.repeat(64), expiresInHours: -1, usedHoursAgo: 48 });
  await insertRefreshToken(db.adminUrl, { userId: user.id, tokenHash: 'c'.repeat(64), expiresInHours: 480 });
  await insertPasswordResetLink(db.adminUrl, { userId: user.id, tokenHash: 'd'.repeat(64), expiresInHours: -25, used: true });
  await insertPasswordResetLink(db.adminUrl, { userId: user.id, tokenHash: 'e'.repeat(64), expiresInHours: -2, used: true });
  expect(await housekeeping.prune()).toEqual({ rateLimitWindows: 1, refreshTokens: 1, passwordResetTokens: 1 });
  // A link expired for less than a day stays: it still answers 410 (ask for a new one), not 400.
  expect(await query(db.adminUrl, 'SELECT left(token_hash, 1) AS h FROM password_reset_token')).toEqual([{ h: 'e' }]);
  expect(await query(db.adminUrl, 'SELECT key FROM rate_limit_hit')).toEqual([{ key: 'new' }]);
  // The spent token that has just expired stays: it still proves reuse for a day.
  expect(
    (await query<{ h: string }>(db.adminUrl, 'SELECT left(token_hash, 1) AS h FROM refresh_token ORDER BY 1')).map((r) => r.h),
  ).toEqual(['b', 'c']);
  expect(await housekeeping.prune()).toEqual({ rateLimitWindows: 0, refreshTokens: 0, passwordResetTokens: 0 });
});
