import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Module } from '@nestjs/common';
import { SCHEMA } from '../../apps/runtime/schema';
import { dataSourceOptions, DbModule, TenantDb } from '../db';
import { RateLimitRepository } from './rate-limit.repository';
import { RefreshTokenRepository } from './refresh-token.repository';
import { createTestDatabase, query, quietLogger, type TestDatabase } from '../../test/harness/database';
import { AuthHousekeeping } from './housekeeping';

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
    providers: [RateLimitRepository, RefreshTokenRepository, AuthHousekeeping],
  })
  class HousekeepingTestModule {}
  app = await NestFactory.createApplicationContext(HousekeepingTestModule, { logger: false });
  expect(app.get(TenantDb)).toBeDefined();
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

it('prunes old rate-limit windows and long-expired refresh tokens, as the app role, and nothing else', async () => {
  const housekeeping = app.get(AuthHousekeeping);
  const [user] = await query<{ id: string }>(
    db.adminUrl,
    "INSERT INTO app_user (email, name, password_hash) VALUES ('h@x.test', 'H', 'x') RETURNING id",
  );
  await query(
    db.adminUrl,
    "INSERT INTO rate_limit_hit (bucket, key, window_start, hits) VALUES ('signup', 'old', now() - interval '2 days', 3), ('signup', 'new', now() - interval '1 hour', 1)",
  );
  await query(
    db.adminUrl,
    `INSERT INTO refresh_token (user_id, family_id, token_hash, expires_at, used_at) VALUES
       ($1, gen_random_uuid(), repeat('a', 64), now() - interval '3 days', now() - interval '10 days'),
       ($1, gen_random_uuid(), repeat('b', 64), now() - interval '1 hour', now() - interval '2 days'),
       ($1, gen_random_uuid(), repeat('c', 64), now() + interval '20 days', NULL)`,
    [user!.id],
  );
  expect(await housekeeping.prune()).toEqual({ rateLimitWindows: 1, refreshTokens: 1 });
  expect(await query(db.adminUrl, 'SELECT key FROM rate_limit_hit')).toEqual([{ key: 'new' }]);
  // The spent token that has just expired stays: it still proves reuse for a day.
  expect(
    (await query<{ h: string }>(db.adminUrl, 'SELECT left(token_hash, 1) AS h FROM refresh_token ORDER BY 1')).map((r) => r.h),
  ).toEqual(['b', 'c']);
  expect(await housekeeping.prune()).toEqual({ rateLimitWindows: 0, refreshTokens: 0 });
});
