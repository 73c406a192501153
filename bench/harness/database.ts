import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, seed } from '../../apps/runtime/prepare-database';
import type { Logger } from '../../libs/core';
import {
  ensureDatabase,
  ensureRoles,
  freePort,
  startEmbeddedPostgres,
  urlFor,
  type DatabaseRoles,
  type DatabaseTarget,
} from '../../libs/db';
import type { BenchDatabase } from './scenario';

const DATABASE = 'dutybook_bench';

export interface BenchCluster {
  readonly db: BenchDatabase;
  /** The run's temporary folder: the cluster lives in `<dir>/postgres`. */
  readonly dir: string;
  /** Stops Postgres and removes the folder; safe to call more than once. */
  stop(): Promise<void>;
}

/** The run's temporary folder (the caller removes it). */
export function makeRunDir(): string {
  // Not under the checkout: as root the cluster runs as `postgres`, which must reach it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-bench-'));
  fs.chmodSync(dir, 0o711);
  return dir;
}

/**
 * A fresh embedded cluster in dir (from makeRunDir), the product's roles (random passwords), one
 * database, every migration applied and the catalogs seeded: what `npm start` would serve.
 */
export async function startBenchCluster(dir: string, logger: Logger): Promise<BenchCluster> {
  const removeDirSync = (): void => fs.rmSync(dir, { recursive: true, force: true });
  let stopPostgres = async (): Promise<void> => Promise.resolve();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      try {
        await stopPostgres();
      } finally {
        removeDirSync();
      }
    })());
  try {
    const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), logger });
    stopPostgres = () => pg.stop();
    const secret = (): string => randomBytes(18).toString('base64url');
    const roles: DatabaseRoles = {
      owner: { name: 'dutybook_owner', password: secret() },
      app: { name: 'dutybook_app', password: secret() },
    };
    await ensureRoles(pg.adminUrl, roles);
    await ensureDatabase(pg.adminUrl, DATABASE, roles);
    const target: DatabaseTarget = {
      appUrl: urlFor(pg.adminUrl, roles.app, DATABASE),
      ownerUrl: urlFor(pg.adminUrl, roles.owner, DATABASE),
      appRole: roles.app.name,
    };
    await migrate(target, logger);
    await seed(target, logger);
    const adminUrl = new URL(pg.adminUrl);
    adminUrl.pathname = `/${DATABASE}`;
    return { db: { ...target, adminUrl: adminUrl.toString() }, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
