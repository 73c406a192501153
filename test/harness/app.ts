import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApi, type ApiOptions } from '../../apps/api/create-api';
import { createLogger, loadConfig, type AppConfig, type Logger } from '../../libs/core';
import { createTestDatabase, quietLogger, type TestDatabase } from './database';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly db: TestDatabase;
  readonly config: AppConfig;
  close(): Promise<void>;
}

/**
 * The real api on a fresh database of its own, ready for `app.inject`. `withWorker` also runs the
 * worker's jobs in it (as `npm start` does): needed wherever a test reads mails the worker sends
 * (invitations). `consoleDir`: a console build of the test's own.
 */
export async function bootTestApp(env: Record<string, string> = {}, logger?: Logger, options: ApiOptions = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-app-'));
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ...env });
  const db = await createTestDatabase();
  const app = await createApi(config, db, logger ?? (env.LOG_LEVEL ? createLogger(config.logLevel, 'test') : quietLogger()), {
    ...options,
    withWorker: options.withWorker ?? false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    db,
    config,
    async close() {
      await app.close();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
