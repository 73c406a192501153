import { Writable } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { createWorker } from '../../apps/worker/create-worker';
import { createLogger } from '../../libs/core';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, uniqueEmail } from '../harness/api';
import { query } from '../harness/database';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';

// `npm run start:api` + `npm run start:worker`: the api alone only queues the invitation mail;
// the worker process (its own Nest context, pool and mail transport) sends it.
let sink: SmtpSink;
let t: TestApp;
let worker: INestApplicationContext | undefined;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await bootTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://duty.example.test' });
});
afterAll(async () => {
  await worker?.close();
  await t.close();
  await sink.close();
});

it('the api alone queues the mail and sends nothing; a separate worker sends it', async () => {
  const admin = await signup(t.app, { organization: 'Split Org' });
  const email = uniqueEmail('split');
  const res = await caller(t.app)({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/invitations`,
    token: admin.accessToken,
    payload: { email, role: 'viewer' },
  });
  expect(res.statusCode).toBe(201);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(sink.messages).toHaveLength(0);
  expect(
    await query(t.db.adminUrl, "SELECT state FROM pgboss.job WHERE name = 'invitation-mail' AND data->>'invitationId' = $1", [
      res.json<{ id: string }>().id,
    ]),
  ).toEqual([{ state: 'created' }]);

  // The worker's log, read back line by line (debug: the mailer's own line counts too).
  const lines: Record<string, unknown>[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  worker = await createWorker(t.config, t.db, createLogger('debug', 'worker-test', logStream));
  const [mail] = await sink.waitFor(1, 15_000);
  expect(mail?.envelopeTo).toEqual([email]);
  expect(mail?.parsed.text).toContain('https://duty.example.test/invitations/accept?token=');

  // Tracing: the request that invited is named on every line of the job it queued, the job
  // runner's own line and the mailer's (a lib below it) alike.
  const requestId = res.headers['x-request-id'];
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  // The runner logs its line after the SMTP exchange the sink has already seen.
  const deadline = Date.now() + 10_000;
  while (!lines.some((l) => l.msg === 'invitation mail sent') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const done = lines.find((l) => l.msg === 'invitation mail sent');
  expect(done).toMatchObject({ requestId, job: 'invitation-mail', invitationId: res.json<{ id: string }>().id });
  const mailerLine = lines.find((l) => l.msg === 'mail sent');
  expect(mailerLine).toMatchObject({ requestId, job: 'invitation-mail', jobId: done?.jobId });
  // Lines outside the job (start-up) carry no request id.
  expect(lines.find((l) => l.msg === 'worker ready: schedules registered')).not.toHaveProperty('requestId');
});
