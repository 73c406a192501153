import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createApi } from '../../apps/api/create-api';
import { createLogger, loadConfig } from '../../libs/core';
import type { StartMessage } from '../harness/protocol';
import type { ServingServer } from './serve-child';

/**
 * The real api configured as in production (logs at `silent`: the per-request log call still
 * runs, pino drops the line), on a free loopback port; `env` adds or overrides variables.
 */
export async function serveApp(start: StartMessage, name: string, env: Record<string, string> = {}): Promise<ServingServer> {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: path.join(start.dataDir, 'app'),
    DATABASE_URL: start.db.appUrl,
    DATABASE_OWNER_URL: start.db.ownerUrl,
    DATABASE_POOL_SIZE: String(start.poolSize),
    MIGRATE_ON_START: 'false',
    SEED_ON_START: 'false',
    // Production with DATABASE_URL needs one; scenarios that sign tokens pass theirs.
    JWT_SECRET: process.env.BENCH_JWT_SECRET ?? randomBytes(48).toString('base64url'),
    // Scenarios sign one token in set-up and use it for the whole run (rounds included), so the
    // server must accept that lifetime: tokens longer than ACCESS_TOKEN_TTL_SECONDS are refused.
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    ...env,
  });
  const app = await createApi(
    config,
    { appUrl: start.db.appUrl, ownerUrl: start.db.ownerUrl, appRole: start.db.appRole },
    createLogger(config.logLevel, name),
  );
  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  if (typeof address !== 'object' || !address) throw new Error('the app is not listening on a TCP port');
  return { port: address.port, close: () => app.close() };
}
