import { PASSWORD_RESET_ANSWER_MS } from '../../libs/tenancy';
import { agePasswordResetLinks, fillRateLimitWindow } from '../factories/tenancy';
import { bootTestApp, type TestApp } from '../harness/app';
import { login, PASSWORD, signup, uniqueEmail, type Account } from '../harness/api';
import { query } from '../harness/database';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../harness/smtp-sink';

// Password reset by mail (issue 10; docs/security.md#password-reset): the same answer for every
// address, a single-use link of one hour mailed by the worker after commit, every session ended.

const PUBLIC_URL = 'https://duty.example.test';
const NEW_PASSWORD = 'walnut-harbour-quiver-73';
let sink: SmtpSink;
let t: TestApp;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await bootTestApp(
    {
      SMTP_URL: sink.url,
      PUBLIC_URL,
      RATE_LIMIT_SIGNUP: '1000/1h',
      RATE_LIMIT_PASSWORD_RESET_ADDRESS: '3/1h',
      RATE_LIMIT_PASSWORD_RESET_IP: '1000/1h',
      RATE_LIMIT_PASSWORD_RESET_CONFIRM: '1000/1h',
    },
    undefined,
    { withWorker: true },
  );
});
afterAll(async () => {
  await t.close();
  await sink.close();
});
beforeEach(() => sink.reset());

type Res = Awaited<ReturnType<TestApp['app']['inject']>>;
let source = 0;
/** Each test asks from its own client address, so the per-address limits of one do not reach another. */
const freshIp = (): string => `198.51.100.${++source}`;
const ask = (email: unknown, remoteAddress = '203.0.113.9'): Promise<Res> =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email }, remoteAddress });
const confirm = (payload: unknown, remoteAddress = '203.0.113.9'): Promise<Res> =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: payload as object, remoteAddress });
const refresh = (refreshToken: string): Promise<Res> =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });

/** The token of the link in a reset mail. */
function tokenOf(mail: ReceivedMail | undefined): string {
  const m = /\/password-reset\?token=([A-Za-z0-9_-]{43})\b/.exec(mail?.parsed.text ?? '');
  if (!m?.[1]) throw new Error(`no reset link in ${mail?.parsed.text ?? 'no mail'}`);
  return m[1];
}

async function mailFor(email: string): Promise<ReceivedMail> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mail = sink.messages.find((m) => m.envelopeTo.includes(email));
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail for ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let account: Account;
beforeEach(async () => {
  account = await signup(t.app, { name: 'Reset Owner' });
});

describe('asking for a link', () => {
  it('answers 202 with the same body, in about the same time, whether the address has an account or not', async () => {
    const ip = freshIp();
    const started = Date.now();
    const known = await ask(account.email, ip);
    const knownMs = Date.now() - started;
    const unknownEmail = uniqueEmail('nobody');
    const started2 = Date.now();
    const unknown = await ask(unknownEmail, ip);
    const unknownMs = Date.now() - started2;
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.body).toBe(known.body);
    expect(known.json<{ message: string }>().message).toContain('If an account uses this address');
    // Both wait for the same floor; neither does enough work to pass it by much.
    expect(knownMs).toBeGreaterThanOrEqual(PASSWORD_RESET_ANSWER_MS - 5);
    expect(unknownMs).toBeGreaterThanOrEqual(PASSWORD_RESET_ANSWER_MS - 5);
    expect(Math.abs(knownMs - unknownMs)).toBeLessThan(500);
    // Only the account's address gets a mail; the link is the console's route under PUBLIC_URL.
    const mail = await mailFor(account.email);
    expect(mail.parsed.subject).toBe('Reset your Dutybook password');
    expect(mail.parsed.text).toContain(`${PUBLIC_URL}/password-reset?token=`);
    expect(mail.parsed.text).toContain('Reset Owner');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sink.messages.filter((m) => m.envelopeTo.includes(unknownEmail))).toHaveLength(0);
  });

  it('stores only the hash of the link, for one hour', async () => {
    expect((await ask(account.email, freshIp())).statusCode).toBe(202);
    const token = tokenOf(await mailFor(account.email));
    const rows = await query<{ token_hash: string; minutes: number }>(
      t.db.adminUrl,
      'SELECT token_hash, round(extract(epoch FROM expires_at - created_at) / 60)::int AS minutes FROM password_reset_token WHERE user_id = $1',
      [account.userId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.minutes).toBe(60);
    expect(rows[0]?.token_hash).not.toContain(token);
    const jobs = await query<{ data: string }>(t.db.adminUrl, "SELECT data::text FROM pgboss.job WHERE name = 'password-reset-mail'");
    expect(jobs.some((j) => j.data.includes(token))).toBe(false);
  });

  it('a newer link supersedes the earlier one: the old link answers 410', async () => {
    const ip = freshIp();
    expect((await ask(account.email, ip)).statusCode).toBe(202);
    const first = tokenOf(await mailFor(account.email));
    sink.reset();
    expect((await ask(account.email, ip)).statusCode).toBe(202);
    const second = tokenOf(await mailFor(account.email));
    expect(second).not.toBe(first);
    const old = await confirm({ token: first, password: NEW_PASSWORD });
    expect(old.statusCode).toBe(410);
    expect(old.json<{ code: string }>().code).toBe('PASSWORD_RESET_TOKEN_EXPIRED');
    expect((await confirm({ token: second, password: NEW_PASSWORD })).statusCode).toBe(204);
  });

  it('is limited per address (known or not alike) with 429, Retry-After and a code', async () => {
    for (const email of [account.email, uniqueEmail('nobody')]) {
      for (let i = 0; i < 3; i++) expect((await ask(email, freshIp())).statusCode).toBe(202);
      const res = await ask(email, freshIp());
      expect(res.statusCode).toBe(429);
      expect(res.json<{ code: string }>().code).toBe('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(3600);
    }
  });

  it('is limited per client address', async () => {
    const ip = freshIp();
    // The window of this address is already full (the limit is 1000 in this app).
    await fillRateLimitWindow(t.db.adminUrl, { bucket: 'password-reset-ip', key: ip, hits: 1000, windowSeconds: 3600 });
    const res = await ask(uniqueEmail('any'), ip);
    expect(res.statusCode).toBe(429);
    expect(res.json<{ code: string; details: { retryAfterSeconds: number } }>().details.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe('choosing the new password', () => {
  it('sets the password, works once, ends every session and clears the login delays', async () => {
    const second = await login(t.app, account.email);
    // A guesser ran up delays and part of the ceiling on this account.
    for (let i = 0; i < 5; i++)
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: account.email, password: `wrong-${i}-password` },
        remoteAddress: '192.0.2.66',
      });
    expect((await ask(account.email, freshIp())).statusCode).toBe(202);
    const token = tokenOf(await mailFor(account.email));

    expect((await confirm({ token, password: NEW_PASSWORD })).statusCode).toBe(204);
    // Every refresh token of the account, from every login, is revoked.
    for (const old of [account.refreshToken, second.refreshToken]) {
      const res = await refresh(old);
      expect(res.statusCode).toBe(401);
    }
    const counters = await query(
      t.db.adminUrl,
      "SELECT key FROM rate_limit_hit WHERE bucket IN ('login-source', 'login-account') AND (key = $1 OR key LIKE $2)",
      [account.email, `${account.email} %`],
    );
    expect(counters).toEqual([]);
    // Old password refused, new one accepted.
    const oldLogin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: account.email, password: PASSWORD },
    });
    expect(oldLogin.statusCode).toBe(401);
    expect((await login(t.app, account.email, NEW_PASSWORD)).accessToken).toBeTruthy();
    // Single use.
    const again = await confirm({ token, password: 'another-fresh-password-91' });
    expect(again.statusCode).toBe(410);
    expect(again.json<{ code: string; message: string }>()).toMatchObject({ code: 'PASSWORD_RESET_TOKEN_EXPIRED' });
    expect(again.json<{ message: string }>().message).toContain('ask for a new one');
  });

  it('a link older than one hour answers 410 and changes nothing', async () => {
    expect((await ask(account.email, freshIp())).statusCode).toBe(202);
    const token = tokenOf(await mailFor(account.email));
    await agePasswordResetLinks(t.db.adminUrl, account.userId, 61);
    const res = await confirm({ token, password: NEW_PASSWORD });
    expect(res.statusCode).toBe(410);
    expect(res.json<{ code: string }>().code).toBe('PASSWORD_RESET_TOKEN_EXPIRED');
    expect((await refresh(account.refreshToken)).statusCode).toBe(200);
    expect((await login(t.app, account.email)).accessToken).toBeTruthy();
  });

  it('a weak password is refused and leaves the link usable', async () => {
    expect((await ask(account.email, freshIp())).statusCode).toBe(202);
    const token = tokenOf(await mailFor(account.email));
    const weak = await confirm({ token, password: 'password1234' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json<{ code: string }>().code).toBe('WEAK_PASSWORD');
    const named = await confirm({ token, password: `${account.email.split('@')[0] ?? ''}-x` });
    expect(named.json<{ code: string }>().code).toBe('WEAK_PASSWORD');
    expect((await confirm({ token, password: NEW_PASSWORD })).statusCode).toBe(204);
  });

  it('an unknown or malformed token answers 400 PASSWORD_RESET_TOKEN_INVALID', async () => {
    for (const token of ['A'.repeat(43), 'short', `${'A'.repeat(42)}!`]) {
      const res = await confirm({ token, password: NEW_PASSWORD });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ code: string }>().code).toBe('PASSWORD_RESET_TOKEN_INVALID');
    }
  });

  it('is limited per client address', async () => {
    const ip = freshIp();
    await fillRateLimitWindow(t.db.adminUrl, { bucket: 'password-reset-confirm', key: ip, hits: 1000, windowSeconds: 3600 });
    const res = await confirm({ token: 'A'.repeat(43), password: NEW_PASSWORD }, ip);
    expect(res.statusCode).toBe(429);
    expect(res.json<{ code: string }>().code).toBe('RATE_LIMITED');
  });
});

describe('bad input: a clear 4xx with a code, never a 5xx', () => {
  const cases: [string, string, unknown, number, string][] = [
    ['request', 'missing email', {}, 400, 'VALIDATION_FAILED'],
    ['request', 'email not a string', { email: 42 }, 400, 'VALIDATION_FAILED'],
    ['request', 'email null', { email: null }, 400, 'VALIDATION_FAILED'],
    ['request', 'over-long email', { email: `${'a'.repeat(300)}@example.org` }, 400, 'VALIDATION_FAILED'],
    ['request', 'NUL in email', { email: 'a\u0000b@example.org' }, 400, 'INVALID_CHARACTER'],
    ['request', 'quoted local part', { email: '"a b"@example.org' }, 400, 'EMAIL_ADDRESS_UNSUPPORTED'],
    ['request', 'unknown field', { email: 'a@example.org', admin: true }, 400, 'VALIDATION_FAILED'],
    ['confirm', 'missing token', { password: NEW_PASSWORD }, 400, 'VALIDATION_FAILED'],
    ['confirm', 'missing password', { token: 'A'.repeat(43) }, 400, 'VALIDATION_FAILED'],
    ['confirm', 'over-long token', { token: 'A'.repeat(5000), password: NEW_PASSWORD }, 400, 'VALIDATION_FAILED'],
    ['confirm', 'over-long password', { token: 'A'.repeat(43), password: 'x'.repeat(300) }, 400, 'VALIDATION_FAILED'],
    ['confirm', 'short password', { token: 'A'.repeat(43), password: 'short' }, 400, 'VALIDATION_FAILED'],
    ['confirm', 'NUL in token', { token: `${'A'.repeat(42)}\u0000`, password: NEW_PASSWORD }, 400, 'INVALID_CHARACTER'],
    ['confirm', 'NUL in password', { token: 'A'.repeat(43), password: `${NEW_PASSWORD}\u0000` }, 400, 'INVALID_CHARACTER'],
    ['confirm', 'token an object', { token: { $gt: '' }, password: NEW_PASSWORD }, 400, 'VALIDATION_FAILED'],
  ];
  it.each(cases)('%s: %s', async (which, _name, payload, status, code) => {
    const url = which === 'request' ? '/api/v1/auth/password-reset' : '/api/v1/auth/password-reset/confirm';
    const res = await t.app.inject({ method: 'POST', url, payload: payload as object, remoteAddress: freshIp() });
    expect(res.statusCode).toBe(status);
    expect(res.json<{ code: string }>().code).toBe(code);
  });
});
