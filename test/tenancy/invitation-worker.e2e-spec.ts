import type { INestApplicationContext } from '@nestjs/common';
import { createWorker } from '../../apps/worker/create-worker';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, uniqueEmail } from '../harness/api';
import { query, quietLogger } from '../harness/database';
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

  worker = await createWorker(t.config, t.db, quietLogger());
  const [mail] = await sink.waitFor(1, 15_000);
  expect(mail?.envelopeTo).toEqual([email]);
  expect(mail?.parsed.text).toContain('https://duty.example.test/invitations/accept?token=');
});
