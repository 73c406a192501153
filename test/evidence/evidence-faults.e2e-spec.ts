/**
 * Upload fault injection with real failures: the storage cannot take the file, or the database
 * fails after the file was written (an error raised by a trigger, the connection killed in the
 * middle of the transaction). Each time: an error answer, no row, no file, the task unchanged.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { caller, signup, type Account, type Caller } from '../harness/api';
import { bootTestApp, type TestApp } from '../harness/app';
import { query } from '../harness/database';
import { SAMPLES } from './files';
import { createTask, evidenceRows, storedFiles, taskRow, upload } from './setup';

let t: TestApp;
let call: Caller;
let admin: Account;
let errors: jest.SpyInstance;

beforeAll(async () => {
  t = await bootTestApp();
  call = caller(t.app);
  admin = await signup(t.app);
});
afterAll(async () => t.close());
beforeEach(() => {
  errors = jest.spyOn(Logger.prototype, 'error');
});
afterEach(() => errors.mockRestore());

const storageDir = (): string => {
  const storage = t.config.evidence.storage;
  if (storage.kind !== 'fs') throw new Error('expected the filesystem storage');
  return storage.dir;
};

async function expectNothingLeft(taskId: string, filesBefore: string[]): Promise<void> {
  expect(await evidenceRows(t, { taskId })).toEqual([]);
  expect(storedFiles(t)).toEqual(filesBefore);
  expect(await taskRow(t, taskId)).toEqual({ status: 'todo', evidence_count: 0 });
}

describe('the storage fails', () => {
  it('answers 503 EVIDENCE_STORAGE_UNAVAILABLE (logged) and records nothing', async () => {
    const taskId = await createTask(t, admin.tenantId, admin.userId);
    // Something that is not a folder where the tenant's folder goes: the write fails for real.
    fs.mkdirSync(storageDir(), { recursive: true });
    const blocker = path.join(storageDir(), admin.tenantId);
    fs.rmSync(blocker, { recursive: true, force: true });
    fs.writeFileSync(blocker, 'not a folder');
    try {
      const filesBefore = storedFiles(t);
      const res = await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual(expect.objectContaining({ code: 'EVIDENCE_STORAGE_UNAVAILABLE' }));
      expect(res.body).not.toContain(storageDir());
      expect(errors).toHaveBeenCalledWith(
        expect.objectContaining({ msg: 'evidence: storage write failed', tenantId: admin.tenantId, storage: 'fs' }),
      );
      await expectNothingLeft(taskId, filesBefore);
    } finally {
      fs.rmSync(blocker, { force: true });
    }
    // And it works again once the storage does.
    const again = await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf });
    expect(again.statusCode).toBe(201);
  });
});

/**
 * A real full disk: a 1 MiB tmpfs mounted where the tenant's files go (needs root, as in the
 * development sandbox and CI containers; where mounting is refused the test is skipped and says
 * so), filled to the last byte, so the upload's write fails with a genuine ENOSPC.
 */
const canMountTmpfs = ((): boolean => {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    process.stderr.write('evidence-faults: mounting a tmpfs is refused here; the full-disk test is skipped\n');
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
})();

describe('the storage is full', () => {
  (canMountTmpfs ? it : it.skip)('answers 507 EVIDENCE_STORAGE_FULL, not 503, and leaves nothing half-written', async () => {
    const taskId = await createTask(t, admin.tenantId, admin.userId);
    const tenantDir = path.join(storageDir(), admin.tenantId);
    fs.rmSync(tenantDir, { recursive: true, force: true });
    fs.mkdirSync(tenantDir, { recursive: true, mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=700', 'tmpfs', tenantDir]);
    try {
      // Fill it: write until the kernel refuses.
      const filler = path.join(tenantDir, 'filler');
      const fd = fs.openSync(filler, 'w');
      const block = Buffer.alloc(64 * 1024, 1);
      let full = false;
      try {
        for (;;) fs.writeSync(fd, block);
      } catch (error) {
        full = (error as NodeJS.ErrnoException).code === 'ENOSPC';
      } finally {
        fs.closeSync(fd);
      }
      expect(full).toBe(true);
      const filesBefore = storedFiles(t);
      expect(filesBefore).toEqual([`${admin.tenantId}/filler`]);

      const res = await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf });
      expect(res.statusCode).toBe(507);
      expect(res.json()).toEqual(expect.objectContaining({ statusCode: 507, code: 'EVIDENCE_STORAGE_FULL' }));
      expect(res.json<{ message: string }>().message).not.toMatch(/cannot be reached/);
      expect(res.body).not.toContain(storageDir());
      // No .partial file, no row, the task unchanged.
      await expectNothingLeft(taskId, filesBefore);

      // Space again: the same upload is stored.
      fs.rmSync(filler);
      const again = await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf });
      expect(again.statusCode).toBe(201);
    } finally {
      execFileSync('umount', ['-l', tenantDir]);
    }
  });
});

describe('the database fails after the file was written', () => {
  /** Installs a trigger (as the superuser) for one upload, then removes it. */
  async function withTrigger<T>(table: 'evidence' | 'task', body: string, fn: () => Promise<T>): Promise<T> {
    await query(t.db.adminUrl, `CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN ${body} RETURN NEW; END $f$`);
    await query(
      t.db.adminUrl,
      `CREATE TRIGGER inject_fault BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION inject_fault()`,
    );
    try {
      return await fn();
    } finally {
      await query(t.db.adminUrl, `DROP TRIGGER inject_fault ON ${table}`);
      await query(t.db.adminUrl, 'DROP FUNCTION inject_fault()');
    }
  }

  // A lost connection is an outage (503 DATABASE_UNAVAILABLE, retry later); a failing statement is ours (500).
  it.each([
    ['the evidence insert fails', 'evidence', "RAISE EXCEPTION 'disk full (injected)';", 500, 'INTERNAL_ERROR'],
    ['the task update fails after the insert', 'task', "RAISE EXCEPTION 'deadlock (injected)';", 500, 'INTERNAL_ERROR'],
    [
      'the connection dies in the middle of the transaction',
      'evidence',
      'PERFORM pg_terminate_backend(pg_backend_pid());',
      503,
      'DATABASE_UNAVAILABLE',
    ],
  ] as const)('%s: the error answer, no row, no file, task unchanged', async (_name, table, body, status, code) => {
    const taskId = await createTask(t, admin.tenantId, admin.userId);
    const filesBefore = storedFiles(t);
    let written = false;
    const watcher = fs.watch(storageDir(), { recursive: true }, () => {
      written = true;
    });
    try {
      const res = await withTrigger(table, body, () =>
        upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf }, 'will fail'),
      );
      expect(res.statusCode).toBe(status);
      expect(res.json()).toEqual(expect.objectContaining({ code }));
      expect(res.body).not.toMatch(/injected|trigger|evidence_/);
    } finally {
      watcher.close();
    }
    // The file had been written before the database failed, and was removed again.
    expect(written).toBe(true);
    await expectNothingLeft(taskId, filesBefore);
    // The app recovers: the next upload goes through.
    const again = await upload(call, admin.accessToken, admin.tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf });
    expect(again.statusCode).toBe(201);
  });

  it('links and notes leave nothing either', async () => {
    const taskId = await createTask(t, admin.tenantId, admin.userId);
    const res = await withTrigger('evidence', "RAISE EXCEPTION 'injected';", () =>
      call({
        method: 'POST',
        url: `/api/v1/tenants/${admin.tenantId}/tasks/${taskId}/evidence`,
        token: admin.accessToken,
        payload: { kind: 'note', text: 'x' },
      }),
    );
    expect(res.statusCode).toBe(500);
    await expectNothingLeft(taskId, storedFiles(t));
  });
});
