import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, seed } from '../../apps/runtime/prepare-database';
import { ensureDatabase, ensureRoles, freePort, urlFor, type DatabaseTarget } from '../../libs/db';
import { TEST_ROLES } from '../harness/cluster';
import { quietLogger } from '../harness/database';

/**
 * A Postgres cluster of the test's own, for faults that would disturb every other test file on
 * the shared one: stopping it, restarting it, freezing its processes.
 */
export class OwnCluster {
  private url: string | undefined;
  private frozen: number[] = [];

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(): Promise<OwnCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-fault-'));
    fs.chmodSync(dir, 0o711);
    const port = await freePort();
    const child = fork(path.join(__dirname, 'pg-child.js'), [dir, String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const cluster = new OwnCluster(dir, port, child);
    await cluster.up();
    return cluster;
  }

  get adminUrl(): string {
    if (!this.url) throw new Error('cluster is down');
    return this.url;
  }

  private command(message: 'up' | 'down'): Promise<{ adminUrl?: string }> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (reply: { ok: boolean; adminUrl?: string; error?: string }) => {
        if (reply.ok) resolve(reply);
        else reject(new Error(reply.error));
      });
      this.child.send(message);
    });
  }

  async up(): Promise<void> {
    this.url = (await this.command('up')).adminUrl;
  }

  async down(): Promise<void> {
    await this.command('down');
    this.url = undefined;
  }

  /** A migrated, seeded database on this cluster, as the app and owner roles. */
  async database(name: string): Promise<DatabaseTarget> {
    await ensureRoles(this.adminUrl, TEST_ROLES);
    await ensureDatabase(this.adminUrl, name, TEST_ROLES);
    const target = {
      appUrl: urlFor(this.adminUrl, TEST_ROLES.app, name),
      ownerUrl: urlFor(this.adminUrl, TEST_ROLES.owner, name),
      appRole: TEST_ROLES.app.name,
    };
    await migrate(target, quietLogger());
    await seed(target, quietLogger());
    return target;
  }

  /** The postmaster and every backend: SIGSTOP freezes the server as a hung host would. */
  private processes(): number[] {
    const pid = Number(fs.readFileSync(path.join(this.dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
    return [pid, ...children];
  }

  freeze(): void {
    this.frozen = this.processes();
    for (const pid of this.frozen) process.kill(pid, 'SIGSTOP');
  }

  thaw(): void {
    for (const pid of this.frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone meanwhile
      }
    }
    this.frozen = [];
  }

  async destroy(): Promise<void> {
    this.thaw();
    await this.down().catch(() => undefined);
    // The child stops its server and exits on disconnect; wait for it (bounded), or its handle
    // keeps the jest worker alive past the file ("failed to exit gracefully").
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    if (this.child.connected) this.child.disconnect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
