/**
 * Evidence behaviour: files (sniffed, hashed, stored under a generated key), links and notes;
 * downloads as checked attachments; immutability; the task moving to in_progress.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { EvidenceService, VERIFY_IN_MEMORY_BYTES, type EvidenceView } from '../../libs/evidence';
import { bootTestApp, type TestApp } from '../harness/app';
import { query } from '../harness/database';
import { SAMPLES } from './files';
import {
  caller,
  createTask,
  evidenceRows,
  evidenceTenant,
  multipartBody,
  multipartHeaders,
  storedFiles,
  storedPath,
  taskRow,
  upload,
  type EvidenceTenant,
  type TaskStatus,
} from './setup';
import type { Caller } from '../harness/api';

let t: TestApp;
let call: Caller;
let who: EvidenceTenant;
let tenantId: string;

beforeAll(async () => {
  t = await bootTestApp();
  call = caller(t.app);
  who = await evidenceTenant(t);
  tenantId = who.admin.tenantId;
});
afterAll(async () => t.close());

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const newTask = (status?: TaskStatus): Promise<string> => createTask(t, tenantId, who.admin.userId, status ? { status } : {});
const evidenceUrl = (taskId: string): string => `/api/v1/tenants/${tenantId}/tasks/${taskId}/evidence`;
const download = (id: string, token = who.viewer.accessToken) =>
  call({ method: 'GET', url: `/api/v1/tenants/${tenantId}/evidence/${id}/content`, token });

describe('file evidence', () => {
  it('is stored under a generated key with its size, sha256 and sniffed type, and moves the task to in_progress', async () => {
    const taskId = await newTask();
    const res = await upload(
      call,
      who.member.accessToken,
      tenantId,
      taskId,
      { filename: 'restore-test.pdf', content: SAMPLES.pdf, contentType: 'application/pdf' },
      'Restore test, May',
    );
    expect(res.statusCode).toBe(201);
    const view = res.json<EvidenceView>();
    expect(view).toEqual({
      id: expect.any(String),
      taskId,
      kind: 'file',
      description: 'Restore test, May',
      fileName: 'restore-test.pdf',
      mediaType: 'application/pdf',
      size: SAMPLES.pdf.length,
      sha256: sha256(SAMPLES.pdf),
      url: null,
      text: null,
      submittedBy: who.member.userId,
      submittedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    const [row] = await evidenceRows(t, { taskId });
    expect(row?.storage_key).toBe(`${tenantId}/${view.id}`);
    expect(row?.storage_key).not.toContain('restore');
    expect(fs.readFileSync(storedPath(t, row!.storage_key!)).equals(SAMPLES.pdf)).toBe(true);
    expect(storedFiles(t).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(await taskRow(t, taskId)).toEqual({ status: 'in_progress', evidence_count: 1 });
    // The metadata as every role sees it.
    const get = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}/evidence/${view.id}`, token: who.auditor.accessToken });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual(view);
  });

  it('publishes evidence.added inside the transaction (the audit trail records it)', async () => {
    const taskId = await newTask();
    const res = await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'a.png', content: SAMPLES.png });
    expect(res.statusCode).toBe(201);
    const events = await query<{ action: string; actor_id: string; entity_type: string; data: Record<string, unknown> }>(
      t.db.adminUrl,
      'SELECT action, actor_id, entity_type, data FROM audit_event WHERE tenant_id = $1 AND entity_id = $2',
      [tenantId, res.json<EvidenceView>().id],
    );
    expect(events).toEqual([
      {
        action: 'evidence.added',
        actor_id: who.member.userId,
        entity_type: 'evidence',
        data: expect.objectContaining({ taskId, kind: 'file', mediaType: 'image/png', sha256: sha256(SAMPLES.png) }),
      },
    ]);
  });

  it.each([
    ['png', 'photo.png', 'image/png'],
    ['jpeg', 'photo.jpg', 'image/jpeg'],
    ['gif', 'anim.gif', 'image/gif'],
    ['webp', 'shot.webp', 'image/webp'],
    ['tiff', 'scan.tiff', 'image/tiff'],
    ['zip', 'logs.zip', 'application/zip'],
    ['docx', 'minutes.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['xlsx', 'inventory.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['pptx', 'review.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    ['odt', 'minutes.odt', 'application/vnd.oasis.opendocument.text'],
    ['gzip', 'logs.gz', 'application/gzip'],
    ['sevenZip', 'logs.7z', 'application/x-7z-compressed'],
    ['tar', 'logs.tar', 'application/x-tar'],
    ['text', 'notes.txt', 'text/plain'],
    ['csv', 'export.csv', 'text/csv'],
    ['markdown', 'README.md', 'text/markdown'],
    ['json', 'report.json', 'application/json'],
  ] as const)('accepts %s (%s) as %s', async (sample, filename, mediaType) => {
    const taskId = await newTask('in_progress');
    const res = await upload(call, who.admin.accessToken, tenantId, taskId, {
      filename,
      content: SAMPLES[sample],
      contentType: 'application/octet-stream',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual(
      expect.objectContaining({ mediaType, fileName: filename, size: SAMPLES[sample].length, sha256: sha256(SAMPLES[sample]) }),
    );
  });

  it('takes the description before or after the file part, or none', async () => {
    const taskId = await newTask();
    const before = multipartBody([
      { name: 'description', value: '  written before  ' },
      { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf },
    ]);
    const r1 = await call({
      method: 'POST',
      url: evidenceUrl(taskId),
      token: who.member.accessToken,
      headers: multipartHeaders(),
      payload: before,
    });
    expect(r1.statusCode).toBe(201);
    expect(r1.json<EvidenceView>().description).toBe('written before');
    const after = multipartBody([
      { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf },
      { name: 'description', value: 'written after, ünïcödé' },
    ]);
    const r2 = await call({
      method: 'POST',
      url: evidenceUrl(taskId),
      token: who.member.accessToken,
      headers: multipartHeaders(),
      payload: after,
    });
    expect(r2.statusCode).toBe(201);
    expect(r2.json<EvidenceView>().description).toBe('written after, ünïcödé');
    const r3 = await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf });
    expect(r3.json<EvidenceView>().description).toBeNull();
    const r4 = await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf }, '   ');
    expect(r4.json<EvidenceView>().description).toBeNull();
    expect((await taskRow(t, taskId)).evidence_count).toBe(4);
  });

  it('keeps the sniffed type when name and declared type say otherwise, and offers the download under a name that fits', async () => {
    const taskId = await newTask();
    const res = await upload(call, who.member.accessToken, tenantId, taskId, {
      filename: 'report.pdf',
      content: SAMPLES.png,
      contentType: 'application/pdf',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual(expect.objectContaining({ fileName: 'report.pdf', mediaType: 'image/png' }));
    const got = await download(res.json<EvidenceView>().id);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['content-disposition']).toBe(`attachment; filename="report.pdf.png"; filename*=UTF-8''report.pdf.png`);
    const script = await upload(call, who.member.accessToken, tenantId, taskId, {
      filename: 'cleanup.bat',
      content: 'del /q C:\\temp\\*\r\n',
      contentType: 'application/x-msdos-program',
    });
    expect(script.json()).toEqual(expect.objectContaining({ fileName: 'cleanup.bat', mediaType: 'text/plain' }));
    expect((await download(script.json<EvidenceView>().id)).headers['content-disposition']).toContain(`filename*=UTF-8''cleanup.bat.txt`);
  });

  it('keeps the client file name only as sanitised metadata', async () => {
    const taskId = await newTask();
    const res = await upload(call, who.member.accessToken, tenantId, taskId, {
      filename: '../../../etc/cron.d/r\u202Eevil\u202C.txt',
      content: SAMPLES.text,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json<EvidenceView>().fileName).toBe('revil.txt');
    const [row] = await evidenceRows(t, { taskId });
    expect(row?.storage_key).toMatch(/^[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
    const unicode = await upload(call, who.member.accessToken, tenantId, taskId, {
      filename: 'Prüfbericht März 2026.pdf',
      content: SAMPLES.pdf,
    });
    expect(unicode.json<EvidenceView>().fileName).toBe('Prüfbericht März 2026.pdf');
    expect((await download(unicode.json<EvidenceView>().id)).headers['content-disposition']).toBe(
      `attachment; filename="Pr_fbericht M_rz 2026.pdf"; filename*=UTF-8''Pr%C3%BCfbericht%20M%C3%A4rz%202026.pdf`,
    );
  });

  it('refuses evidence on a withdrawn task (a catalog upgrade removed the duty): 409 TASK_CLOSED, nothing stored', async () => {
    const taskId = await newTask('withdrawn');
    const before = storedFiles(t).length;
    const res = await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual(expect.objectContaining({ code: 'TASK_CLOSED', details: { status: 'withdrawn' } }));
    expect(storedFiles(t).length).toBe(before);
    expect(await taskRow(t, taskId)).toEqual({ status: 'withdrawn', evidence_count: 0 });
  });

  it('adds to a task in any open status without changing it, and refuses closed tasks with 409 TASK_CLOSED', async () => {
    for (const status of ['in_progress', 'done', 'rejected'] as const) {
      const taskId = await newTask(status);
      const res = await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf });
      expect(res.statusCode).toBe(201);
      expect(await taskRow(t, taskId)).toEqual({ status, evidence_count: 1 });
    }
    for (const status of ['approved', 'not_applicable'] as const) {
      const taskId = await newTask(status);
      const before = storedFiles(t).length;
      const res = await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'a.pdf', content: SAMPLES.pdf });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual(expect.objectContaining({ code: 'TASK_CLOSED', details: { status } }));
      const link = await call({
        method: 'POST',
        url: evidenceUrl(taskId),
        token: who.member.accessToken,
        payload: { kind: 'link', url: 'https://example.com/' },
      });
      expect(link.json().code).toBe('TASK_CLOSED');
      expect(storedFiles(t).length).toBe(before);
      expect(await evidenceRows(t, { taskId })).toEqual([]);
      expect(await taskRow(t, taskId)).toEqual({ status, evidence_count: 0 });
    }
  });
});

describe('links and notes', () => {
  it('records a link (normalised) and a note, with descriptions', async () => {
    const taskId = await newTask();
    const link = await call({
      method: 'POST',
      url: evidenceUrl(taskId),
      token: who.member.accessToken,
      payload: { kind: 'link', url: ' HTTPS://Intranet.Example.com/backups/restore test?week=19 ', description: 'Runbook' },
    });
    expect(link.statusCode).toBe(201);
    expect(link.json()).toEqual(
      expect.objectContaining({
        kind: 'link',
        url: 'https://intranet.example.com/backups/restore%20test?week=19',
        description: 'Runbook',
        fileName: null,
        mediaType: null,
        size: null,
        sha256: null,
        text: null,
      }),
    );
    expect(await taskRow(t, taskId)).toEqual({ status: 'in_progress', evidence_count: 1 });
    const note = await call({
      method: 'POST',
      url: evidenceUrl(taskId),
      token: who.admin.accessToken,
      payload: { kind: 'note', text: 'Checked the retention policy with the provider on the phone.\nAll good.' },
    });
    expect(note.statusCode).toBe(201);
    expect(note.json()).toEqual(
      expect.objectContaining({
        kind: 'note',
        text: 'Checked the retention policy with the provider on the phone.\nAll good.',
        url: null,
        description: null,
      }),
    );
    expect(await taskRow(t, taskId)).toEqual({ status: 'in_progress', evidence_count: 2 });
    const content = await download(note.json<EvidenceView>().id);
    expect(content.statusCode).toBe(404);
    expect(content.json().code).toBe('EVIDENCE_NO_FILE');
  });

  it('lists a task’s evidence oldest first (for the task detail)', async () => {
    const taskId = await newTask();
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      ids.push(
        (
          await call({ method: 'POST', url: evidenceUrl(taskId), token: who.member.accessToken, payload: { kind: 'note', text } })
        ).json<EvidenceView>().id,
      );
    }
    const service = t.app.get(EvidenceService);
    const ctx = { tenantId, userId: who.viewer.userId, role: 'viewer' as const, requestId: 'test-list', ip: '127.0.0.1' };
    expect((await service.listForTask(ctx, taskId)).map((e) => e.id)).toEqual(ids);
    await expect(service.listForTask({ ...ctx, tenantId: who.outsider.tenantId, userId: who.outsider.userId }, taskId)).rejects.toThrow(
      'No such task',
    );
  });
});

describe('download', () => {
  it('streams the file as an attachment with its sniffed type, nosniff and its digest', async () => {
    const taskId = await newTask();
    const res = await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'notes.txt', content: SAMPLES.text });
    const id = res.json<EvidenceView>().id;
    for (const token of [who.admin.accessToken, who.member.accessToken, who.auditor.accessToken, who.viewer.accessToken]) {
      const got = await download(id, token);
      expect(got.statusCode).toBe(200);
      expect(got.rawPayload.equals(SAMPLES.text)).toBe(true);
      expect(got.headers).toEqual(
        expect.objectContaining({
          'content-type': 'text/plain; charset=utf-8',
          'content-disposition': `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`,
          'content-length': String(SAMPLES.text.length),
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; sandbox",
          'cache-control': 'private, no-store',
          etag: `"${sha256(SAMPLES.text)}"`,
        }),
      );
    }
  });

  it('streams a file larger than the in-memory check (two passes) whole', async () => {
    const taskId = await newTask();
    const big = Buffer.concat([SAMPLES.pdf, randomBytes(VERIFY_IN_MEMORY_BYTES + 3 * 65536 + 17)]);
    const res = await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'big.pdf', content: big });
    expect(res.statusCode).toBe(201);
    const got = await download(res.json<EvidenceView>().id);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.length).toBe(big.length);
    expect(sha256(got.rawPayload)).toBe(sha256(big));
  });

  it('fails the stream, rather than ending it, when a large file changes between the check and the send', async () => {
    const taskId = await newTask();
    const big = Buffer.concat([SAMPLES.pdf, randomBytes(VERIFY_IN_MEMORY_BYTES + 1_000_000)]);
    const id = (await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'big.pdf', content: big })).json<EvidenceView>()
      .id;
    const [row] = await evidenceRows(t, { taskId });
    const service = t.app.get(EvidenceService);
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      const content = await service.openContent(
        { tenantId, userId: who.viewer.userId, role: 'viewer', requestId: 'test-race', ip: '127.0.0.1' },
        id,
      );
      // The first pass has checked the file; change its last bytes (in place) before the second.
      const fd = fs.openSync(storedPath(t, row!.storage_key!), 'r+');
      fs.writeSync(fd, Buffer.from('tampered'), 0, 8, big.length - 8);
      fs.closeSync(fd);
      const received: Buffer[] = [];
      const consume = async (): Promise<void> => {
        for await (const chunk of content.body as Readable) received.push(chunk as Buffer);
      };
      await expect(consume()).rejects.toThrow(/no longer matches/);
      expect(Buffer.concat(received).length).toBeLessThan(big.length);
      expect(errors).toHaveBeenCalledWith(
        expect.objectContaining({ msg: expect.stringContaining('EVIDENCE_CORRUPT'), evidenceId: id, reason: 'sha256' }),
      );
    } finally {
      errors.mockRestore();
    }
  });

  it('over real HTTP, a file changed while it is being sent ends in a broken response, never a clean 200', async () => {
    const taskId = await newTask();
    const big = Buffer.concat([SAMPLES.pdf, randomBytes(30 * 1024 * 1024)]);
    const id = (await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'big.pdf', content: big })).json<EvidenceView>()
      .id;
    const [row] = await evidenceRows(t, { taskId });
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address();
    if (typeof address !== 'object' || address === null) throw new Error('not listening');
    const outcome = await new Promise<{ status: number; length: string | undefined; received: number; error: string | null }>((resolve) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port: address.port,
          path: `/api/v1/tenants/${tenantId}/evidence/${id}/content`,
          headers: { authorization: `Bearer ${who.viewer.accessToken}` },
        },
        (res) => {
          // Headers arrive once the first pass has checked the file: change its end now, in place.
          res.pause();
          const fd = fs.openSync(storedPath(t, row!.storage_key!), 'r+');
          fs.writeSync(fd, Buffer.from('tampered'), 0, 8, big.length - 8);
          fs.closeSync(fd);
          let received = 0;
          let error: string | null = null;
          res.on('data', (chunk: Buffer) => (received += chunk.length));
          res.on('error', (e) => (error = e.message));
          res.on('aborted', () => (error ??= 'aborted'));
          res.on('close', () =>
            resolve({
              status: res.statusCode ?? 0,
              length: res.headers['content-length'],
              received,
              error: error ?? (res.complete ? null : 'incomplete'),
            }),
          );
          res.resume();
        },
      );
      req.on('error', () => undefined);
    });
    expect(outcome.status).toBe(200);
    expect(outcome.length).toBe(String(big.length));
    expect(outcome.received).toBeLessThan(big.length);
    expect(outcome.error).not.toBeNull();
  });

  describe('a stored file that no longer matches its sha256', () => {
    let errors: jest.SpyInstance;
    beforeEach(() => {
      errors = jest.spyOn(Logger.prototype, 'error');
    });
    afterEach(() => errors.mockRestore());

    const tamper = async (content: Buffer, change: (file: string) => void): Promise<string> => {
      const taskId = await newTask();
      const res = await upload(call, who.member.accessToken, tenantId, taskId, { filename: 'evidence.pdf', content });
      expect(res.statusCode).toBe(201);
      const id = res.json<EvidenceView>().id;
      const [row] = await evidenceRows(t, { taskId });
      change(storedPath(t, row!.storage_key!));
      return id;
    };
    const flipByte = (at: number) => (file: string) => {
      const bytes = fs.readFileSync(file);
      bytes[at] = (bytes[at] ?? 0) ^ 0xff;
      fs.writeFileSync(file, bytes);
    };
    const expectCorrupt = async (id: string, reason: string): Promise<void> => {
      const got = await download(id);
      expect(got.statusCode).toBe(500);
      expect(got.json()).toEqual(expect.objectContaining({ statusCode: 500, code: 'EVIDENCE_CORRUPT' }));
      expect(got.headers['content-disposition']).toBeUndefined();
      expect(errors).toHaveBeenCalledWith(
        expect.objectContaining({ msg: expect.stringContaining('EVIDENCE_CORRUPT'), evidenceId: id, reason }),
      );
    };

    it('answers 500 EVIDENCE_CORRUPT (logged) for a changed byte', async () => {
      await expectCorrupt(await tamper(SAMPLES.pdf, flipByte(20)), 'sha256');
    });

    it('answers 500 EVIDENCE_CORRUPT for a changed byte in a large file, before sending anything', async () => {
      const big = Buffer.concat([SAMPLES.pdf, randomBytes(VERIFY_IN_MEMORY_BYTES + 1000)]);
      await expectCorrupt(await tamper(big, flipByte(big.length - 10)), 'sha256');
    });

    it('answers 500 EVIDENCE_CORRUPT for a truncated, extended or missing file', async () => {
      await expectCorrupt(await tamper(SAMPLES.pdf, (file) => fs.truncateSync(file, 10)), 'size');
      await expectCorrupt(await tamper(SAMPLES.pdf, (file) => fs.appendFileSync(file, 'more')), 'size');
      await expectCorrupt(await tamper(SAMPLES.pdf, (file) => fs.rmSync(file)), 'missing');
    });
  });
});

describe('immutability', () => {
  it('has no route to change or delete evidence', async () => {
    const taskId = await newTask();
    const id = (
      await call({ method: 'POST', url: evidenceUrl(taskId), token: who.admin.accessToken, payload: { kind: 'note', text: 'original' } })
    ).json<EvidenceView>().id;
    for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
      const res = await call({
        method,
        url: `/api/v1/tenants/${tenantId}/evidence/${id}`,
        token: who.admin.accessToken,
        payload: { text: 'changed' },
      });
      // The path exists for reading only: 405, and Allow names no method that changes it.
      expect(res.statusCode).toBe(405);
      expect(res.json().code).toBe('METHOD_NOT_ALLOWED');
      expect(String(res.headers.allow).split(', ').sort()).toEqual(['GET', 'HEAD']);
    }
    const [row] = await query<{ text: string }>(t.db.adminUrl, 'SELECT text FROM evidence WHERE id = $1', [id]);
    expect(row?.text).toBe('original');
  });

  it('is enforced by the database: the app role may not update or delete evidence', async () => {
    const taskId = await newTask();
    const id = (
      await call({ method: 'POST', url: evidenceUrl(taskId), token: who.admin.accessToken, payload: { kind: 'note', text: 'original' } })
    ).json<EvidenceView>().id;
    for (const sql of [`UPDATE evidence SET text = 'changed' WHERE id = '${id}'`, `DELETE FROM evidence WHERE id = '${id}'`]) {
      const result = await query(t.db.appUrl, sql).catch((error: unknown) => error);
      expect(String(result)).toMatch(/permission denied/);
    }
    const [row] = await query<{ text: string }>(t.db.adminUrl, 'SELECT text FROM evidence WHERE id = $1', [id]);
    expect(row?.text).toBe('original');
  });
});
