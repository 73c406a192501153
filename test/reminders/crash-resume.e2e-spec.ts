/**
 * Issue 12 item 6: mail after a crash. The real worker process (`dist/apps/worker/main.js`, as
 * `npm run start:worker`) is killed with SIGKILL while the SMTP server holds its message at DATA
 * (no 250 yet). A new worker must deliver the mail within 90 s of the kill (the job expires after
 * 45 s, the supervisor runs every 15 s, the retry waits 5 s: apps/worker/queues.ts), and the
 * server must end up with it exactly once: the stalled copy was never accepted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { projectRoot } from '../../libs/core';
import { addDays, todayIn } from '../../libs/tasks';
import type { Account } from '../harness/api';
import { accounts, bootWorld, notifications, reminderTenant, setTask, sweep, type World } from './setup';

const WORKER = path.join(projectRoot(), 'dist', 'apps', 'worker', 'main.js');

jest.setTimeout(180_000);

/** An SMTP server that holds the first message at DATA until its session closes; accepts the rest. */
async function stallingServer(): Promise<{
  url: string;
  accepted: string[];
  stalled: Promise<void>;
  close(): Promise<void>;
}> {
  const accepted: string[] = [];
  let stalledOnce = false;
  let onStalled: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => (onStalled = resolve));
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 500,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';
        if (!stalledOnce) {
          // The whole message arrived; the answer never comes (the client is killed meanwhile).
          stalledOnce = true;
          onStalled();
          return;
        }
        accepted.push(messageId);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${String(port)}`,
    accepted,
    stalled,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function startWorker(w: World, smtpUrl: string, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      DATABASE_URL: w.t.db.appUrl,
      DATABASE_OWNER_URL: w.t.db.ownerUrl,
      MIGRATE_ON_START: 'false',
      SEED_ON_START: 'false',
      SMTP_URL: smtpUrl,
      PUBLIC_URL: 'https://dutybook.example',
      JWT_SECRET: 'crash-resume-test-secret-0123456789abcdef',
      // Only the mail queue matters here: no sweep or digest of its own.
      REMINDERS_CRON: '0 0 1 1 *',
      DIGEST_CRON: '0 0 1 1 *',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise<ChildProcess>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the worker did not start in 60 s:\n${out}`)), 60_000);
    const read = (b: Buffer): void => {
      out = (out + b.toString()).slice(-20_000);
      if (out.includes('worker ready: schedules registered')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`the worker exited (${String(code)}) before it was ready:\n${out}`)));
  });
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

let w: World;
const children: ChildProcess[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-crash-'));

beforeAll(async () => {
  w = await bootWorld();
});
afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await exited(c);
  }
  await w.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('a worker killed mid-send: a new worker delivers the mail within 90 s, exactly once', async () => {
  expect(fs.existsSync(WORKER)).toBe(true);
  const smtp = await stallingServer();
  try {
    const [admin, member] = (await accounts(w, 2, 'crash')) as [Account, Account];
    await w.call({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: member.accessToken, payload: { digest: false } });
    const r = await reminderTenant(w, admin, { members: [[member, 'member']] });
    await setTask(w, r.tasks['PX-15']!, { dueDate: addDays(todayIn('UTC'), 1), assigneeId: member.userId });
    expect((await sweep(w, new Date().toISOString())).queued).toBe(1);
    const [row] = await notifications(w, r.tenantId);

    const first = await startWorker(w, smtp.url, dataDir);
    children.push(first);
    await smtp.stalled;
    // The message is at the server, unanswered; the worker waits for the 250. Kill it there.
    first.kill('SIGKILL');
    await exited(first);
    const killedAt = Date.now();
    expect(first.signalCode).toBe('SIGKILL');

    const second = await startWorker(w, smtp.url, dataDir);
    children.push(second);
    while (smtp.accepted.length === 0 && Date.now() - killedAt < 90_000) await new Promise((resolve) => setTimeout(resolve, 500));
    const elapsed = Date.now() - killedAt;
    expect(smtp.accepted).toEqual([`<${row!.id}@dutybook>`]);
    expect(elapsed).toBeLessThan(90_000);
    process.stderr.write(`crash-resume: delivered ${String(Math.round(elapsed / 1000))} s after the kill\n`);

    // Settled, and no second copy follows.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(smtp.accepted).toHaveLength(1);
    expect((await notifications(w, r.tenantId)).map((n) => [n.status, n.message_id])).toEqual([['sent', `<${row!.id}@dutybook>`]]);
    second.kill('SIGTERM');
    await exited(second);
  } finally {
    await smtp.close();
  }
});
