import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QUEUES } from '../../apps/worker/queues';
import { projectRoot } from '../../libs/core';
import { addDays, todayIn } from '../../libs/tasks';
import type { Account } from '../harness/api';
import { query } from '../harness/database';
import { accounts, bootWorld, jobCount, notifications, reminderTenant, setTask, type World } from './setup';

// The compiled script behind `npm run reminders:sweep` (npm test builds first).
const CLI = path.join(projectRoot(), 'dist', 'apps', 'cli', 'reminders.js');

let w: World;
let dataDir: string;
beforeAll(async () => {
  w = await bootWorld();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-cli-'));
});
afterAll(async () => {
  await w.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI], {
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        DATABASE_URL: w.t.db.appUrl,
        DATABASE_OWNER_URL: w.t.db.ownerUrl,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run reminders:sweep', () => {
  it('sweeps once now, exits 0 once the mails are queued; a second run queues nothing', async () => {
    expect(fs.existsSync(CLI)).toBe(true);
    const [admin, member] = (await accounts(w, 2, 'cli')) as [Account, Account];
    await w.call({ method: 'PUT', url: '/api/v1/me/notification-preferences', token: member.accessToken, payload: { digest: false } });
    const r = await reminderTenant(w, admin, { members: [[member, 'member']] });
    await setTask(w, r.tasks['PX-15']!, { dueDate: addDays(todayIn('UTC'), 1), assigneeId: member.userId });
    await setTask(w, r.tasks['PX-17']!, { dueDate: addDays(todayIn('UTC'), 1), assigneeId: member.userId });

    const first = await run({ MIGRATE_ON_START: 'true' });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    // Two due-soon reminders to one person in one sweep: one (summary) mail.
    expect(first.stdout).toBe('queued 1 mail(s)\n');
    const rows = await notifications(w, r.tenantId);
    expect(rows.map((n) => `${n.kind} ${n.status}`)).toEqual(['due_soon queued', 'due_soon queued']);
    const jobs = await query<{ mails: number }>(
      w.t.db.adminUrl,
      "SELECT (data ->> 'mails')::int AS mails FROM pgboss.job WHERE name = $1 AND id IN (SELECT job_id FROM notification WHERE id = ANY ($2::uuid[]))",
      [QUEUES.mailSend.name, rows.map((n) => n.id)],
    );
    expect(jobs).toEqual([{ mails: 1 }]);
    expect(
      await jobCount(
        w,
        rows.map((n) => n.id),
      ),
    ).toBe(1);

    const second = await run({ MIGRATE_ON_START: 'false' });
    expect(second).toMatchObject({ code: 0, stdout: 'queued 0 mail(s)\n' });
  });

  it('a bad configuration exits 1 naming the variable', async () => {
    const res = await run({ REMINDERS_CRON: 'every minute' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('REMINDERS_CRON must be a cron expression');
  });
});
