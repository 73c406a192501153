/**
 * Uploads over a real socket, cut or refused: a body whose closing boundary never comes (all of
 * Content-Length sent) is answered 400 EVIDENCE_UPLOAD_INCOMPLETE with nothing left behind; a
 * client that goes away mid-body leaves nothing either; a refused upload is answered and its
 * connection closed instead of reading megabytes nobody wants.
 */
import net from 'node:net';
import { signup, type Account } from '../harness/api';
import { bootTestApp, type TestApp } from '../harness/app';
import { SAMPLES } from './files';
import { BOUNDARY, createTask, evidenceRows, storedFiles, taskRow } from './setup';

let t: TestApp;
let admin: Account;
let port: number;

beforeAll(async () => {
  t = await bootTestApp();
  admin = await signup(t.app);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.getHttpServer().address();
  if (typeof address !== 'object' || !address) throw new Error('not listening');
  port = address.port;
});
afterAll(async () => t.close());

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
  /** The server closed the connection (FIN or reset) within the wait. */
  closed: boolean;
}

/**
 * Sends head and body on a fresh socket, keeps the socket open (writing nothing more), and
 * collects what comes back until the server closes or waitMs passes.
 */
function raw(head: string, body: Buffer, waitMs: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const [headers = '', rest = ''] = data.split('\r\n\r\n', 2);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0), headers: headers.toLowerCase(), body: rest, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (b: Buffer) => (data += b.toString()));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish(true);
      else if (!settled) reject(error);
    });
    socket.write(head);
    socket.write(body);
  });
}

function uploadHead(taskId: string, contentLength: number, extra = ''): string {
  return (
    `POST /api/v1/tenants/${admin.tenantId}/tasks/${taskId}/evidence HTTP/1.1\r\n${extra}` +
    `Host: 127.0.0.1:${port}\r\n` +
    `Authorization: Bearer ${admin.accessToken}\r\n` +
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
    `Content-Length: ${contentLength}\r\n\r\n`
  );
}

/** A file part whose closing boundary is missing: the form never ends. */
function formWithoutEnd(content: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    content,
  ]);
}

describe('an upload whose body ends early', () => {
  it('full Content-Length without the closing boundary: 400 EVIDENCE_UPLOAD_INCOMPLETE, no row, no file', async () => {
    const taskId = await createTask(t, admin.tenantId, admin.userId);
    const before = storedFiles(t);
    const body = formWithoutEnd(SAMPLES.pdf);
    const answer = await raw(uploadHead(taskId, body.length, 'Connection: close\r\n'), body, 10000);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body.slice(answer.body.indexOf('{'), answer.body.lastIndexOf('}') + 1))).toMatchObject({
      code: 'EVIDENCE_UPLOAD_INCOMPLETE',
    });
    expect(await evidenceRows(t, { taskId })).toEqual([]);
    expect(await taskRow(t, taskId)).toEqual({ status: 'todo', evidence_count: 0 });
    // No .partial file (or any file) is left behind.
    expect(storedFiles(t)).toEqual(before);
  });

  it('the client goes away mid-body: nothing recorded, no .partial file left', async () => {
    const taskId = await createTask(t, admin.tenantId, admin.userId);
    const before = storedFiles(t);
    const content = Buffer.concat([SAMPLES.pdf, Buffer.alloc(256 * 1024, 7)]);
    const full = formWithoutEnd(content);
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(uploadHead(taskId, full.length + 1000));
        // Half the body, then the socket is cut.
        socket.write(full.subarray(0, full.length / 2), () => setTimeout(() => socket.destroy(), 200));
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    for (let i = 0; i < 50 && storedFiles(t).length !== before.length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(storedFiles(t)).toEqual(before);
    expect(await evidenceRows(t, { taskId })).toEqual([]);
  });
});

describe('a refused upload', () => {
  // 20 MB announced, 256 KB sent, then the client waits: the answer must come, then the close.
  const announced = 20 * 1024 * 1024;
  const sent = Buffer.alloc(256 * 1024, 1);

  it('404 (unknown task): answered with Connection: close, and the socket is closed', async () => {
    const answer = await raw(uploadHead('00000000-0000-4000-8000-000000000000', announced), formWithoutEnd(sent), 5000);
    expect(answer.status).toBe(404);
    expect(answer.headers).toContain('connection: close');
    expect(answer.closed).toBe(true);
  });

  it('415 (multipart to a JSON route): answered with Connection: close, and the socket is closed', async () => {
    const head =
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${announced}\r\n\r\n`;
    const answer = await raw(head, formWithoutEnd(sent), 5000);
    expect(answer.status).toBe(415);
    expect(answer.headers).toContain('connection: close');
    expect(answer.closed).toBe(true);
  });

  it('a body read whole keeps its keep-alive connection', async () => {
    const answer = await raw(`GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, Buffer.alloc(0), 1500);
    expect(answer.status).toBe(200);
    expect(answer.headers).not.toContain('connection: close');
    expect(answer.closed).toBe(false);
  });
});
