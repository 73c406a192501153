import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createApi } from '../../apps/api/create-api';
import { createLogger, loadConfig } from '../../libs/core';
import { serveChild } from '../servers/serve-child';

/** Largest upload the bench sends is 200 MiB; the app's limit is above it. */
export const BENCH_MAX_BYTES = 256 * 1024 * 1024;

// The real api with the default (filesystem) evidence storage under the run's folder, configured
// as in production, on a free loopback port.
serveChild(async (start) => {
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
    JWT_SECRET: randomBytes(48).toString('base64url'),
    EVIDENCE_MAX_BYTES: String(BENCH_MAX_BYTES),
  });
  const logger = createLogger(config.logLevel, 'bench-evidence');
  const app = await createApi(config, { appUrl: start.db.appUrl, ownerUrl: start.db.ownerUrl, appRole: start.db.appRole }, logger);
  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  if (typeof address !== 'object' || !address) throw new Error('the app is not listening on a TCP port');
  return { port: address.port, close: () => app.close() };
});
