/**
 * Bad input on the evidence endpoints: oversized, empty and lying files, malformed forms, wrong
 * JSON, dangerous links. Always a 4xx with a clear code, never a 5xx, and nothing written: no
 * row, no file (not even a partial one), the task unchanged.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { EvidenceView } from '../../libs/evidence';
import { caller, signup, type Account, type Caller } from '../harness/api';
import { bootTestApp, type TestApp } from '../harness/app';
import { SAMPLES } from './files';
import { createTask, evidenceRows, multipartBody, multipartHeaders, storedFiles, taskRow, BOUNDARY, type FormPart } from './setup';

const MAX = 256 * 1024;

let t: TestApp;
let call: Caller;
let admin: Account;
let taskId: string;

beforeAll(async () => {
  t = await bootTestApp({ EVIDENCE_MAX_BYTES: String(MAX) });
  call = caller(t.app);
  admin = await signup(t.app);
  taskId = await createTask(t, admin.tenantId, admin.userId);
});
afterAll(async () => t.close());

const url = (): string => `/api/v1/tenants/${admin.tenantId}/tasks/${taskId}/evidence`;
const pad = (head: Buffer, size: number, fill = 0x20): Buffer => Buffer.concat([head, Buffer.alloc(size - head.length, fill)]);

/** Sends, then checks the answer and that nothing at all was written. */
async function refused(send: () => Promise<LightMyRequestResponse>, status: number, code: string): Promise<LightMyRequestResponse> {
  const filesBefore = storedFiles(t);
  const res = await send();
  expect({ status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({ status, code });
  expect(res.json()).toEqual(expect.objectContaining({ statusCode: status, message: expect.any(String), requestId: expect.any(String) }));
  expect(storedFiles(t)).toEqual(filesBefore);
  expect(await evidenceRows(t, { taskId })).toEqual([]);
  expect(await taskRow(t, taskId)).toEqual({ status: 'todo', evidence_count: 0 });
  return res;
}

const form = (parts: readonly FormPart[]) => (): Promise<LightMyRequestResponse> =>
  call({ method: 'POST', url: url(), token: admin.accessToken, headers: multipartHeaders(), payload: multipartBody(parts) });
const json =
  (payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  (): Promise<LightMyRequestResponse> =>
    call({
      method: 'POST',
      url: url(),
      token: admin.accessToken,
      headers,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

describe('file size', () => {
  it(`refuses a file over EVIDENCE_MAX_BYTES with 413 EVIDENCE_TOO_LARGE and removes the partial file`, async () => {
    const res = await refused(form([{ name: 'file', filename: 'big.pdf', content: pad(SAMPLES.pdf, MAX + 1) }]), 413, 'EVIDENCE_TOO_LARGE');
    expect(res.json().details).toEqual({ maxBytes: MAX });
    await refused(
      form([
        { name: 'file', filename: 'big.pdf', content: pad(SAMPLES.pdf, 4 * MAX) },
        { name: 'description', value: 'after' },
      ]),
      413,
      'EVIDENCE_TOO_LARGE',
    );
  });

  it('accepts a file of exactly EVIDENCE_MAX_BYTES', async () => {
    const other = await createTask(t, admin.tenantId, admin.userId);
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/tasks/${other}/evidence`,
      token: admin.accessToken,
      headers: multipartHeaders(),
      payload: multipartBody([{ name: 'file', filename: 'max.pdf', content: pad(SAMPLES.pdf, MAX) }]),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json<EvidenceView>().size).toBe(MAX);
  });

  it('refuses an empty file with 400 EVIDENCE_EMPTY', async () => {
    await refused(
      form([{ name: 'file', filename: 'empty.pdf', content: Buffer.alloc(0), contentType: 'application/pdf' }]),
      400,
      'EVIDENCE_EMPTY',
    );
  });
});

describe('files that lie about their type: 415 EVIDENCE_TYPE_NOT_ALLOWED', () => {
  it.each([
    ['a Windows program named .pdf', 'exe', 'invoice.pdf', 'application/pdf', 'application/x-msdownload'],
    ['an ELF program named .png', 'elf', 'photo.png', 'image/png', 'application/x-executable'],
    ['an HTML page named .txt', 'html', 'notes.txt', 'text/plain', 'text/html'],
    ['an HTML page behind a comment', 'htmlWithComment', 'page.md', 'text/markdown', 'text/html'],
    ['an SVG named .png', 'svg', 'logo.png', 'image/png', 'image/svg+xml'],
    ['XML named .csv', 'xml', 'export.csv', 'text/csv', 'application/xml'],
    ['a Java archive named .zip', 'jar', 'logs.zip', 'application/zip', 'application/java-archive'],
    ['a legacy Office file', 'ole', 'minutes.doc', 'application/msword', 'application/x-ole-storage'],
    ['UTF-16 text', 'utf16', 'notes.txt', 'text/plain', 'application/octet-stream'],
    ['Latin-1 text', 'latin1', 'notes.txt', 'text/plain', 'application/octet-stream'],
    ['unknown binary named .jpg', 'random', 'photo.jpg', 'image/jpeg', 'application/octet-stream'],
  ] as const)('%s', async (_name, sample, filename, contentType, detected) => {
    const res = await refused(form([{ name: 'file', filename, content: SAMPLES[sample], contentType }]), 415, 'EVIDENCE_TYPE_NOT_ALLOWED');
    expect(res.json().details).toEqual(
      expect.objectContaining({ detected, allowed: expect.arrayContaining(['application/pdf', 'text/plain']) }),
    );
  });

  it('text that turns binary after the first bytes (the partial file is removed)', async () => {
    const file = Buffer.concat([Buffer.alloc(200 * 1024, 0x61), Buffer.from([0, 1, 2, 3]), Buffer.alloc(1000, 0x61)]);
    await refused(form([{ name: 'file', filename: 'log.txt', content: file }]), 415, 'EVIDENCE_TYPE_NOT_ALLOWED');
  });
});

describe('malformed forms', () => {
  it.each([
    ['no file part', [{ name: 'description', value: 'just words' }], 400, 'EVIDENCE_FILE_MISSING'],
    ['an empty form', [], 400, 'EVIDENCE_FILE_MISSING'],
    ['the file under another name', [{ name: 'document', filename: 'a.pdf', content: SAMPLES.pdf }], 400, 'VALIDATION_FAILED'],
    [
      'two files',
      [
        { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf },
        { name: 'file', filename: 'b.pdf', content: SAMPLES.pdf },
      ],
      400,
      'EVIDENCE_ONE_FILE',
    ],
    [
      'an unknown field before the file',
      [
        { name: 'kind', value: 'file' },
        { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf },
      ],
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an unknown field after the file',
      [
        { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf },
        { name: 'taskId', value: 'x' },
      ],
      400,
      'VALIDATION_FAILED',
    ],
    [
      'description twice',
      [
        { name: 'description', value: 'a' },
        { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf },
        { name: 'description', value: 'b' },
      ],
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a description over 2000 characters',
      [
        { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf },
        { name: 'description', value: 'd'.repeat(2001) },
      ],
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a description over the field size limit',
      [
        { name: 'description', value: 'd'.repeat(40_000) },
        { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf },
      ],
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a prototype-polluting field name',
      [
        { name: '__proto__', value: 'x' },
        { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf },
      ],
      400,
      'VALIDATION_FAILED',
    ],
    ['many fields', Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, value: 'x' })), 400, 'VALIDATION_FAILED'],
  ] as const)('%s', async (_name, parts, status, code) => {
    await refused(form(parts), status, code);
  });

  it('a body cut off in the middle of the file', async () => {
    const whole = multipartBody([{ name: 'file', filename: 'a.pdf', content: pad(SAMPLES.pdf, 100_000) }]);
    const cut = whole.subarray(0, 60_000);
    const res = await refused(
      () => call({ method: 'POST', url: url(), token: admin.accessToken, headers: multipartHeaders(), payload: cut }),
      400,
      'EVIDENCE_UPLOAD_INCOMPLETE',
    );
    expect(res.statusCode).toBe(400);
  });

  it('garbage instead of a multipart body', async () => {
    await refused(
      () =>
        call({
          method: 'POST',
          url: url(),
          token: admin.accessToken,
          headers: multipartHeaders(),
          payload: 'this is not multipart at all',
        }),
      400,
      'MALFORMED_MULTIPART',
    );
    await refused(
      () =>
        call({
          method: 'POST',
          url: url(),
          token: admin.accessToken,
          headers: { 'content-type': 'multipart/form-data' },
          payload: multipartBody([{ name: 'file', filename: 'a.pdf', content: SAMPLES.pdf }]),
        }),
      400,
      'MALFORMED_MULTIPART',
    );
    await refused(
      () =>
        call({
          method: 'POST',
          url: url(),
          token: admin.accessToken,
          headers: multipartHeaders(`${BOUNDARY}-other`),
          payload: multipartBody([{ name: 'file', filename: 'a.pdf', content: SAMPLES.pdf }]),
        }),
      400,
      'MALFORMED_MULTIPART',
    );
  });

  it('multipart is refused on endpoints that take JSON', async () => {
    const res = await call({
      method: 'POST',
      url: '/api/v1/tenants',
      token: admin.accessToken,
      headers: multipartHeaders(),
      payload: multipartBody([{ name: 'name', value: 'Sneaky Org' }]),
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('JSON bodies', () => {
  it.each([
    ['no body', undefined, { 'content-type': 'application/json' }, 400, 'MALFORMED_JSON'],
    ['an empty object', {}, undefined, 400, 'VALIDATION_FAILED'],
    ['an array', [{ kind: 'note', text: 'x' }], undefined, 400, 'VALIDATION_FAILED'],
    ['a string', '"note"', undefined, 400, 'VALIDATION_FAILED'],
    ['null', 'null', undefined, 400, 'VALIDATION_FAILED'],
    ['kind file as JSON', { kind: 'file', url: 'https://example.com' }, undefined, 400, 'VALIDATION_FAILED'],
    ['an unknown kind', { kind: 'video', url: 'https://example.com' }, undefined, 400, 'VALIDATION_FAILED'],
    ['kind as a number', { kind: 1, text: 'x' }, undefined, 400, 'VALIDATION_FAILED'],
    ['a link without url', { kind: 'link' }, undefined, 400, 'VALIDATION_FAILED'],
    ['a url that is a number', { kind: 'link', url: 42 }, undefined, 400, 'VALIDATION_FAILED'],
    ['a url that is an array', { kind: 'link', url: ['https://example.com'] }, undefined, 400, 'VALIDATION_FAILED'],
    ['a link with an unknown field', { kind: 'link', url: 'https://example.com', extra: true }, undefined, 400, 'VALIDATION_FAILED'],
    ['a link with text', { kind: 'link', url: 'https://example.com', text: 'x' }, undefined, 400, 'VALIDATION_FAILED'],
    ['a note with a url', { kind: 'note', text: 'x', url: 'https://example.com' }, undefined, 400, 'VALIDATION_FAILED'],
    ['a note without text', { kind: 'note' }, undefined, 400, 'VALIDATION_FAILED'],
    ['an empty note', { kind: 'note', text: '' }, undefined, 400, 'VALIDATION_FAILED'],
    ['a blank note', { kind: 'note', text: ' \n\t ' }, undefined, 400, 'VALIDATION_FAILED'],
    ['a note over 20000 characters', { kind: 'note', text: 'n'.repeat(20_001) }, undefined, 400, 'VALIDATION_FAILED'],
    ['text as an object', { kind: 'note', text: { toString: 'x' } }, undefined, 400, 'VALIDATION_FAILED'],
    ['a null description', { kind: 'note', text: 'x', description: null }, undefined, 400, 'VALIDATION_FAILED'],
    ['a numeric description', { kind: 'note', text: 'x', description: 5 }, undefined, 400, 'VALIDATION_FAILED'],
    ['a description over 2000 characters', { kind: 'note', text: 'x', description: 'd'.repeat(2001) }, undefined, 400, 'VALIDATION_FAILED'],
    ['prototype pollution', '{"kind":"note","text":"x","__proto__":{"admin":true}}', undefined, 400, 'MALFORMED_JSON'],
    ['broken JSON', '{"kind":"note",', undefined, 400, 'MALFORMED_JSON'],
    ['text/plain', 'kind=note&text=x', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over BODY_LIMIT_BYTES', { kind: 'note', text: 'x'.repeat(2 * 1024 * 1024) }, undefined, 413, 'PAYLOAD_TOO_LARGE'],
  ] as const)('%s', async (_name, payload, headers, status, code) => {
    await refused(
      payload === undefined
        ? () => call({ method: 'POST', url: url(), token: admin.accessToken, headers })
        : json(payload, headers ?? { 'content-type': 'application/json' }),
      status,
      code,
    );
  });
});

describe('links: http(s) only', () => {
  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['JavaScript: in capitals', 'JAVASCRIPT:alert(1)'],
    ['javascript: behind spaces', '   javascript:alert(1)'],
    ['javascript: split by a tab', 'java\tscript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['file:', 'file:///etc/passwd'],
    ['ftp:', 'ftp://files.example.com/report.pdf'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['a relative URL', '/api/v1/tenants'],
    ['a protocol-relative URL', '//evil.example.com/x'],
    ['no host', 'https://'],
    ['credentials in the URL', 'https://admin:hunter2@intranet.example.com/'],
    ['not a URL', 'see the shared drive'],
    ['blank', '   '],
  ])('refuses %s with 400 EVIDENCE_LINK_INVALID', async (_name, link) => {
    await refused(json({ kind: 'link', url: link }), 400, 'EVIDENCE_LINK_INVALID');
  });

  it('refuses a URL over 2048 characters', async () => {
    await refused(json({ kind: 'link', url: `https://example.com/${'a'.repeat(2048)}` }), 400, 'VALIDATION_FAILED');
  });
});

describe('ids', () => {
  it('answers 414 for an over-long evidence id, like any over-long path parameter', async () => {
    const res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/evidence/${'x'.repeat(500)}`,
      token: admin.accessToken,
    });
    expect(res.statusCode).toBe(414);
    expect(res.json().code).toBe('URI_TOO_LONG');
  });
});
