import { fork, type ChildProcess } from 'node:child_process';
import { isChildMessage, type CpuUsage, type StartMessage, type UsageRequest } from './protocol';

export interface ServerChild {
  readonly name: string;
  readonly port: number;
  /** Its process id (memory benches read /proc/<pid>). */
  readonly pid: number;
  /** CPU time the server process used so far. */
  cpuUsage(): Promise<CpuUsage>;
  /** SIGTERM, then SIGKILL if it has not exited in time; resolves once it has exited. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const USAGE_TIMEOUT_MS = 5_000;

/** Every child still alive, for the exit hook. */
const alive = new Set<ChildProcess>();

/** Last resort on process exit or interruption: kill what is left. */
export function killAllChildren(): void {
  for (const child of alive) child.kill('SIGKILL');
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Forks a compiled server script (bench/servers/*), sends it what to serve and waits for it to
 * report the loopback port it listens on.
 */
export async function startServer(name: string, script: string, start: StartMessage, cpuProfileDir?: string): Promise<ServerChild> {
  const execArgv = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  // A send on a channel that just closed emits 'error': the exit is what matters, not this.
  child.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const fail = (error: Error): void => {
      cleanup();
      void stopChild(child).finally(() => reject(error));
    };
    const onMessage = (message: unknown): void => {
      if (!isChildMessage(message)) return;
      if (message.type === 'ready') {
        cleanup();
        resolve(message.port);
      } else if (message.type === 'failed') {
        fail(new Error(`${name} server failed to start: ${message.message}`));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(new Error(`${name} server exited before it was ready (code ${code ?? 'none'}, signal ${signal ?? 'none'})`));
    const onError = (error: Error): void => fail(new Error(`${name} server could not be started: ${error.message}`, { cause: error }));
    const timer = setTimeout(() => fail(new Error(`${name} server not ready after ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', onError);
    child.send(start);
  });
  return { name, port, pid: child.pid ?? -1, cpuUsage: () => askUsage(name, child), stop: () => stopChild(child) };
}

function askUsage(name: string, child: ChildProcess): Promise<CpuUsage> {
  if (!child.connected) return Promise.reject(new Error(`${name} server is gone`));
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (!isChildMessage(message) || message.type !== 'usage') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({ user: message.user, system: message.system });
    };
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`${name} server did not report its CPU usage`));
    }, USAGE_TIMEOUT_MS);
    child.on('message', onMessage);
    const request: UsageRequest = { type: 'usage' };
    child.send(request);
  });
}
