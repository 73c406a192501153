import { bootTestApp, type TestApp } from '../harness/app';
import { caller, PASSWORD, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';

let sink: SmtpSink;
let t: TestApp;
let call: Caller;
let admin: Account;
beforeAll(async () => {
  sink = await startSmtpSink();
  // The worker's jobs run in the app: they send the invitation mails after commit.
  t = await bootTestApp(
    { SMTP_URL: sink.url, PUBLIC_URL: 'https://duty.example.test', RATE_LIMIT_SIGNUP: '1000/1h' },
    { withWorker: true },
  );
  call = caller(t.app);
  admin = await signup(t.app, { organization: 'Acme <Exchange> & Co' });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});
beforeEach(() => sink.reset());

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

  it('when the mail server refuses, nothing is stored: 503 MAIL_DELIVERY_FAILED', async () => {
    const email = uniqueEmail('bounce');
    sink.rejectRecipient(email, 550);
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/invitations`,
      token: admin.accessToken,
      payload: { email, role: 'member' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json<{ code: string }>().code).toBe('MAIL_DELIVERY_FAILED');
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM invitation WHERE email = $1', [email])).toHaveLength(0);
  });
});
