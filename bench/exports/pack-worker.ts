import 'reflect-metadata';
import path from 'node:path';
import { createWorker } from '../../apps/worker/create-worker';
import { createLogger, loadConfig } from '../../libs/core';
import { serveChild } from '../servers/serve-child';

// The real worker process (`npm run start:worker`), configured as in production, with the same
// DATA_DIR (evidence storage) as the api child. It serves no port: 0 tells the parent it is ready.
serveChild(async (start) => {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: path.join(start.dataDir, 'app'),
    DATABASE_URL: start.db.appUrl,
    DATABASE_OWNER_URL: start.db.ownerUrl,
    DATABASE_POOL_SIZE: String(start.poolSize),
    MIGRATE_ON_START: 'false',
    SEED_ON_START: 'false',
    JWT_SECRET: 'bench-worker-secret-not-used-for-signing-0123456789',
  });
  const worker = await createWorker(
    config,
    { appUrl: start.db.appUrl, ownerUrl: start.db.ownerUrl, appRole: start.db.appRole },
    createLogger(config.logLevel, 'bench-worker'),
  );
  return { port: 0, close: () => worker.close() };
});
