import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { createApi } from '../../apps/api/create-api';
import { loadConfig } from '../../libs/core';
import type { TestApp } from '../harness/app';
import { createTestDatabase, quietLogger } from '../harness/database';
export { until } from '../harness/until';

/** The real api hosting the worker's jobs (as `npm start` does), so packs get built. */
export async function bootWithWorker(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-exports-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    RATE_LIMIT_SIGNUP: '10000/1h',
    PUBLIC_URL: 'https://dutybook.example',
    ...env,
  });
  const db = await createTestDatabase();
  const app = await createApi(config, db, quietLogger(), { withWorker: true });
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

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** The raw bytes of a response (app.inject keeps them). */
export const bytesOf = (res: LightMyRequestResponse): Buffer => res.rawPayload;

export function tempFile(name: string, content: Buffer | string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-exports-test-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
