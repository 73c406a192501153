import { bootTestApp, type TestApp } from '../harness/app';
import { caller, PASSWORD, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';

// Issue 12, item 11: names typed by people reach mails without control characters, and only
// plain addresses are accepted where an address enters (sign-up, invitation, login).

// Any C0/DEL/C1 control but the LF of a line break, and the bidi overrides and isolates.
const FORBIDDEN = /[^\P{Cc}\n]|[\u202A-\u202E\u2066-\u2069]/u;
const HOSTILE_PERSON = 'Eve\r\nBcc: victim@example.org\u202Egpj.exe\u0085\u0007';
const HOSTILE_ORG = 'Acme\u2066 Corp\u2069\r\nX-Injected: yes\u202D';

let sink: SmtpSink;
let t: TestApp;
let call: Caller;
let admin: Account;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await bootTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://duty.example.test', RATE_LIMIT_SIGNUP: '1000/1h' }, undefined, {
    withWorker: true,
  });
  call = caller(t.app);
  admin = await signup(t.app, { name: HOSTILE_PERSON, organization: HOSTILE_ORG });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('mail content', () => {
  it('the invitation mail carries the inviter and organisation names on one line, without controls, in both parts', async () => {
    const before = sink.messages.length;
    const email = uniqueEmail('invitee');
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/invitations`,
      token: admin.accessToken,
      payload: { email, role: 'member' },
    });
    expect(res.statusCode).toBe(201);
    const [mail] = (await sink.waitFor(before + 1)).slice(before);
    if (!mail) throw new Error('no invitation mail');
    const { parsed, raw } = mail;
    expect(mail.envelopeTo).toEqual([email]);
    const text = parsed.text ?? '';
    const html = typeof parsed.html === 'string' ? parsed.html : '';
    expect(text).toContain('Eve Bcc: victim@example.orggpj.exe invites you to Acme Corp X-Injected: yes on Dutybook as member.');
    expect(html).toContain('Eve Bcc: victim@example.orggpj.exe invites you to Acme Corp X-Injected: yes on Dutybook as member.');
    expect(text).not.toMatch(FORBIDDEN);
    expect(html).not.toMatch(FORBIDDEN);
    expect(parsed.subject).toBe('Invitation to Acme Corp X-Injected: yes on Dutybook');
    // Nothing the names held became a header or a recipient.
    expect(parsed.headers.has('x-injected')).toBe(false);
    expect(parsed.bcc).toBeUndefined();
    expect(raw.toString('latin1')).not.toMatch(/^X-Injected:/m);
    // Stored as typed: the cleaning is the mail's business.
    expect(await query(t.db.adminUrl, 'SELECT name FROM tenant WHERE id = $1', [admin.tenantId])).toEqual([{ name: HOSTILE_ORG }]);
  });
});

describe('e-mail addresses: only plain ones', () => {
  const QUOTED = ['"a\r\nb"@example.org', '"john doe"@example.org', '"x"@example.org'];
  const EXOTIC = [
    'ü@example.org',
    'a..b@example.org',
    '.a@example.org',
    'a@localhost',
    'a@[127.0.0.1]',
    'a(comment)@example.org',
    'a@-x.example',
  ];

  it.each(QUOTED)('quoted local part %j: 400 EMAIL_ADDRESS_UNSUPPORTED at sign-up, invitation and login; nothing stored', async (email) => {
    const signupRes = await call({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email, password: PASSWORD, name: 'Q', organization: 'Q Org' },
    });
    expect(signupRes.statusCode).toBe(400);
    expect(signupRes.json<{ code: string }>().code).toBe('EMAIL_ADDRESS_UNSUPPORTED');
    const inviteRes = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/invitations`,
      token: admin.accessToken,
      payload: { email, role: 'member' },
    });
    expect(inviteRes.statusCode).toBe(400);
    expect(inviteRes.json<{ code: string }>().code).toBe('EMAIL_ADDRESS_UNSUPPORTED');
    const loginRes = await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
    expect(loginRes.statusCode).toBe(400);
    expect(loginRes.json<{ code: string }>().code).toBe('EMAIL_ADDRESS_UNSUPPORTED');
    expect(await query(t.db.adminUrl, "SELECT 1 FROM app_user WHERE email LIKE '%\"%'")).toHaveLength(0);
    expect(await query(t.db.adminUrl, "SELECT 1 FROM invitation WHERE email LIKE '%\"%'")).toHaveLength(0);
  });

  it.each(EXOTIC)('%j: 400 with a code at sign-up and invitation, never stored', async (email) => {
    const signupRes = await call({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email, password: PASSWORD, name: 'Q', organization: 'Q Org' },
    });
    expect(signupRes.statusCode).toBe(400);
    expect(['EMAIL_ADDRESS_UNSUPPORTED', 'VALIDATION_FAILED']).toContain(signupRes.json<{ code: string }>().code);
    const inviteRes = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/invitations`,
      token: admin.accessToken,
      payload: { email, role: 'member' },
    });
    expect(inviteRes.statusCode).toBe(400);
    expect(['EMAIL_ADDRESS_UNSUPPORTED', 'VALIDATION_FAILED']).toContain(inviteRes.json<{ code: string }>().code);
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM app_user WHERE email = lower($1)', [email])).toHaveLength(0);
  });

  it('plain addresses with the usual extras are accepted (control)', async () => {
    for (const email of [`first.last+tag-${Date.now()}@sub.example.org`, `o'brien_${Date.now()}@example.co.uk`]) {
      const res = await call({
        method: 'POST',
        url: '/api/v1/auth/signup',
        payload: { email, password: PASSWORD, name: 'Plain', organization: 'Plain Org' },
      });
      expect(res.statusCode).toBe(201);
    }
  });
});
