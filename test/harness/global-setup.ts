import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../libs/core';
import { ensureRoles, freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../libs/db';
import { TEST_ROLES } from './cluster';
import { createTemplates, type TestTemplates } from './database';

declare global {
  var __dutybookTestCluster: { pg?: EmbeddedPostgresHandle; dir?: string; url?: string; templates?: TestTemplates } | undefined;
}

/**
 * One Postgres per test run: TEST_DATABASE_URL (a superuser URL) when given, else an embedded
 * cluster in a temporary folder, with two template databases (migrated; migrated and seeded).
 * Each test file then makes its own database, a copy of one (harness/database.ts).
 */
export default async function globalSetup(): Promise<void> {
  const logger = createLogger('warn', 'test-postgres');
  let url = process.env.TEST_DATABASE_URL;
  const state: NonNullable<typeof globalThis.__dutybookTestCluster> = {};
  if (!url) {
    // Not under the checkout: as root the cluster runs as `postgres`, which must reach it.
    state.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-test-'));
    fs.chmodSync(state.dir, 0o711);
    state.pg = await startEmbeddedPostgres({ dataDir: state.dir, port: await freePort(), logger });
    url = state.pg.adminUrl;
  }
  await ensureRoles(url, TEST_ROLES);
  process.env.DUTYBOOK_TEST_ADMIN_URL = url;
  // Migrated (and seeded) once: each test file's database is a copy (harness/database.ts).
  state.url = url;
  state.templates = await createTemplates(url, `${process.pid}_${Date.now().toString(36)}`);
  process.env.DUTYBOOK_TEST_TEMPLATES = JSON.stringify(state.templates);
  globalThis.__dutybookTestCluster = state;
}
