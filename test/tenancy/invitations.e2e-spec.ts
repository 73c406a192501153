import net from 'node:net';
import { freePort, TenantDb } from '../../libs/db';
import { InvitationsService } from '../../libs/tenancy';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, PASSWORD, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { until } from '../harness/until';

let sink: SmtpSink;
let t: TestApp;
let call: Caller;
let admin: Account;
beforeAll(async () => {
  sink = await startSmtpSink();
  // The worker's jobs run in the app: they send the invitation mails after commit.
  t = await bootTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://duty.example.test', RATE_LIMIT_SIGNUP: '1000/1h' }, undefined, {
    withWorker: true,
  });
  call = caller(t.app);
  admin = await signup(t.app, { organization: 'Acme <Exchange> & Co' });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});
beforeEach(() => sink.reset());

/** The invitation's mail job(s), as the superuser sees them. */
function jobOf(invitationId: string, app: TestApp = t): Promise<{ id: string; state: string; retry_count: number }[]> {
  return query(
    app.db.adminUrl,
    "SELECT id, state, retry_count FROM pgboss.job WHERE name = 'invitation-mail' AND data->>'invitationId' = $1",
    [invitationId],
  );
}

async function invite(
  email: string,
  role = 'auditor',
  extra: Record<string, unknown> = {},
): Promise<{ status: number; token: string | undefined; body: Record<string, unknown> }> {
  const before = sink.messages.length;
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/invitations`,
    token: admin.accessToken,
    payload: { email, role, ...extra },
  });
  if (res.statusCode !== 201) return { status: res.statusCode, token: undefined, body: res.json() };
  const [mail] = (await sink.waitFor(before + 1)).slice(before);
  const link = /https:\/\/duty\.example\.test\/invitations\/accept\?token=([^\s"<]+)/.exec(mail?.parsed.text ?? '');
  return { status: res.statusCode, token: link?.[1] ? decodeURIComponent(link[1]) : undefined, body: res.json() };
}

describe('invitations', () => {
  it('mails an accept link; a new account accepts it once and is logged in', async () => {
    const email = uniqueEmail('auditor');
    const sent = await invite(email.toUpperCase());
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ email, role: 'auditor', membershipExpiresAt: null });
    expect(JSON.stringify(sent.body)).not.toContain(sent.token);
    const mail = sink.messages[0]!;
    expect(mail.envelopeTo).toEqual([email]);
    expect(mail.parsed.subject).toBe('Invitation to Acme <Exchange> & Co on Dutybook');
    // Tenant names never inject markup into the HTML part.
    expect(mail.parsed.html).not.toContain('<Exchange>');
    expect(mail.parsed.html).toContain('Acme &lt;Exchange&gt; &amp; Co');
    expect(sent.token).toBeDefined();

    const accepted = await call({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: sent.token, name: 'Aud Itor', password: PASSWORD },
    });
    expect(accepted.statusCode).toBe(200);
    const body = accepted.json<{ accountCreated: boolean; role: string; tenant: { id: string }; tokens: { accessToken: string } }>();
    expect(body).toMatchObject({ accountCreated: true, role: 'auditor', tenant: { id: admin.tenantId, name: 'Acme <Exchange> & Co' } });
    const me = await call({ method: 'GET', url: '/api/v1/me', token: body.tokens.accessToken });
    expect(me.json<{ memberships: unknown[] }>().memberships).toEqual([
      { tenantId: admin.tenantId, tenantName: 'Acme <Exchange> & Co', role: 'auditor', expiresAt: null },
    ]);

    const again = await call({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: sent.token, name: 'Aud Itor', password: PASSWORD },
    });
    expect(again.statusCode).toBe(410);
    expect(again.json<{ code: string }>().code).toBe('INVITATION_INVALID');
  });

  it('an existing account joins without a password and gets no tokens; an auditor can belong to many tenants', async () => {
    const auditor = await signup(t.app, { organization: 'Audit Firm' });
    const sent = await invite(auditor.email, 'auditor', { expiresAt: '2099-01-01T00:00:00Z' });
    const res = await call({ method: 'POST', url: '/api/v1/invitations/accept', payload: { token: sent.token } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accountCreated: false, user: { id: auditor.userId } });
    expect(res.json()).not.toHaveProperty('tokens');
    const tenants = await call({ method: 'GET', url: '/api/v1/tenants', token: auditor.accessToken });
    expect(tenants.json<{ items: { tenantName: string; role: string; expiresAt: string | null }[] }>().items).toEqual([
      { tenantId: admin.tenantId, tenantName: 'Acme <Exchange> & Co', role: 'auditor', expiresAt: '2099-01-01T00:00:00.000Z' },
      { tenantId: auditor.tenantId, tenantName: 'Audit Firm', role: 'admin', expiresAt: null },
    ]);
  });

  it('a new account needs a name and a password: 400 ACCOUNT_DETAILS_REQUIRED, the link still works after', async () => {
    const sent = await invite(uniqueEmail('new'), 'member');
    const res = await call({ method: 'POST', url: '/api/v1/invitations/accept', payload: { token: sent.token } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('ACCOUNT_DETAILS_REQUIRED');
    const ok = await call({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: sent.token, name: 'New', password: PASSWORD },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('re-inviting replaces the earlier invitation: the first link stops working', async () => {
    const email = uniqueEmail('twice');
    const first = await invite(email, 'viewer');
    const second = await invite(email, 'member');
    const old = await call({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: first.token, name: 'T', password: PASSWORD },
    });
    expect(old.statusCode).toBe(410);
    const fresh = await call({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: second.token, name: 'T', password: PASSWORD },
    });
    expect(fresh.json()).toMatchObject({ role: 'member' });
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM invitation WHERE email = $1', [email])).toHaveLength(1);
  });

  it('an invitation older than 7 days is refused', async () => {
    const email = uniqueEmail('late');
    const sent = await invite(email);
    await query(t.db.adminUrl, "UPDATE invitation SET expires_at = now() - interval '1 minute' WHERE email = $1", [email]);
    const res = await call({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: sent.token, name: 'L', password: PASSWORD },
    });
    expect(res.statusCode).toBe(410);
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM app_user WHERE email = $1', [email])).toHaveLength(0);
  });

  it('expires after 7 days by default', async () => {
    const email = uniqueEmail('ttl');
    await invite(email);
    const [row] = await query<{ ok: boolean }>(
      t.db.adminUrl,
      "SELECT expires_at - created_at = interval '7 days' AS ok FROM invitation WHERE email = $1",
      [email],
    );
    expect(row?.ok).toBe(true);
  });

  it('inviting a current member: 409 ALREADY_MEMBER', async () => {
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/invitations`,
      token: admin.accessToken,
      payload: { email: admin.email, role: 'viewer' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ code: string }>().code).toBe('ALREADY_MEMBER');
  });

  it('a forged token (right tenant, wrong secret) is refused and joins nobody', async () => {
    const res = await call({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: `${admin.tenantId}.${'B'.repeat(43)}`, name: 'F', password: PASSWORD },
    });
    expect(res.statusCode).toBe(410);
  });

  it('a permanent refusal by the mail server (550) leaves the invitation stored; the job is not retried', async () => {
    const email = uniqueEmail('bounce');
    sink.rejectRecipient(email, 550);
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/invitations`,
      token: admin.accessToken,
      payload: { email, role: 'member' },
    });
    // The mail goes after commit: the refusal can no longer undo the invitation (docs/security.md).
    expect(res.statusCode).toBe(201);
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM invitation WHERE email = $1', [email])).toHaveLength(1);
    const job = await until('the job to settle', async () => {
      const [row] = await jobOf(res.json<{ id: string }>().id);
      return row?.state === 'completed' ? row : undefined;
    });
    expect(job.retry_count).toBe(0);
    expect(sink.messages).toHaveLength(0);
  });

  it('the queued job does not hold a usable link: the secret is sealed, the database has only its hash', async () => {
    const email = uniqueEmail('sealed');
    const sent = await invite(email, 'viewer');
    const secret = sent.token?.split('.')[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [job] = await query<{ data: Record<string, unknown> }>(
      t.db.adminUrl,
      "SELECT data FROM pgboss.job WHERE name = 'invitation-mail' AND data->>'invitationId' = $1",
      [sent.body.id],
    );
    expect(Object.keys(job?.data ?? {}).sort()).toEqual(['invitationId', 'requestId', 'sealedSecret', 'tenantId']);
    expect(JSON.stringify(job?.data)).not.toContain(secret!);
    expect(JSON.stringify(await query(t.db.adminUrl, 'SELECT * FROM invitation WHERE email = $1', [email]))).not.toContain(secret!);
  });

  it('a rolled-back invitation queues no mail and sends nothing', async () => {
    const db = t.app.get(TenantDb);
    const invitations = t.app.get(InvitationsService);
    const ctx = { tenantId: admin.tenantId, userId: admin.userId, role: 'admin' as const, requestId: 'rollback-test', ip: '127.0.0.1' };
    const email = uniqueEmail('rolled-back');
    let invitationId = '';
    // The invitation joins the outer unit of work, which then fails: nothing of it may survive.
    await expect(
      db.run(ctx, async () => {
        invitationId = (await invitations.invite(ctx, { email, role: 'viewer' })).id;
        throw new Error('something later in the same unit of work failed');
      }),
    ).rejects.toThrow('something later');
    expect(invitationId).not.toBe('');
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM invitation WHERE email = $1', [email])).toHaveLength(0);
    expect(await jobOf(invitationId)).toEqual([]);
    // The worker is running: a committed invitation after it is mailed, and it is the only mail.
    await invite(uniqueEmail('committed'), 'viewer');
    expect(sink.messages.map((m) => m.envelopeTo)).not.toContainEqual([email]);
    expect(sink.messages).toHaveLength(1);
  });
});

describe('invitations while the mail server is down', () => {
  let down: TestApp;
  let blackHole: net.Server;
  const sockets = new Set<net.Socket>();
  let port: number;

  beforeAll(async () => {
    // A server that accepts connections and never answers: the worst kind of outage (before
    // this change the request waited for the 10 s greeting timeout, holding its transaction).
    port = await freePort();
    blackHole = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(port, '127.0.0.1', resolve));
    down = await bootTestApp(
      { SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_URL: 'https://duty.example.test', RATE_LIMIT_SIGNUP: '1000/1h' },
      undefined,
      { withWorker: true },
    );
  });
  afterAll(async () => {
    await down.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  it('does not block the request; the invitation is stored and its mail goes out once SMTP is back', async () => {
    const owner = await signup(down.app, { organization: 'Outage Org' });
    const email = uniqueEmail('outage');
    const started = Date.now();
    const res = await caller(down.app)({
      method: 'POST',
      url: `/api/v1/tenants/${owner.tenantId}/invitations`,
      token: owner.accessToken,
      payload: { email, role: 'member' },
    });
    expect(res.statusCode).toBe(201);
    expect(Date.now() - started).toBeLessThan(3000);
    const invitationId = res.json<{ id: string }>().id;
    expect(await query(down.db.adminUrl, 'SELECT 1 FROM invitation WHERE id = $1', [invitationId])).toHaveLength(1);

    // The server goes away for good (connections dropped): the attempt fails and is scheduled again.
    await until('the worker to try', () => Promise.resolve(sockets.size > 0 ? true : undefined));
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    const failed = await until('a retry to be scheduled', async () => {
      const [row] = await jobOf(invitationId, down);
      return row?.state === 'retry' ? row : undefined;
    });
    expect(failed.state).toBe('retry');

    // SMTP is back on the same address; the retry (brought forward instead of waiting its backoff) delivers.
    const back = await startSmtpSink({ port });
    try {
      await query(down.db.adminUrl, "UPDATE pgboss.job SET start_after = now() WHERE id = $1 AND state = 'retry'", [failed.id]);
      const [mail] = await back.waitFor(1, 15_000);
      expect(mail?.envelopeTo).toEqual([email]);
      const link = /invitations\/accept\?token=([^\s"<]+)/.exec(mail?.parsed.text ?? '');
      const accepted = await caller(down.app)({
        method: 'POST',
        url: '/api/v1/invitations/accept',
        payload: { token: decodeURIComponent(link?.[1] ?? ''), name: 'Back', password: PASSWORD },
      });
      expect(accepted.statusCode).toBe(200);
    } finally {
      await back.close();
    }
  });
});
