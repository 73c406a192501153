import { bootTestApp, type TestApp } from '../harness/app';
import { addMember, caller, PASSWORD, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { until } from '../harness/until';

// Issue 10: an admin lists the open invitations, sends a fresh link, revokes one.
let sink: SmtpSink;
let t: TestApp;
let call: Caller;
let admin: Account;
let member: Account;
let auditor: Account;
let viewer: Account;
let other: Account;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await bootTestApp(
    { SMTP_URL: sink.url, PUBLIC_URL: 'https://duty.example.test', RATE_LIMIT_SIGNUP: '1000/1h', RATE_LIMIT_INVITATION_RECIPIENT: '3/1h' },
    undefined,
    { withWorker: true },
  );
  call = caller(t.app);
  admin = await signup(t.app, { organization: 'Invite Admin Org' });
  [member, auditor, viewer] = [await signup(t.app), await signup(t.app), await signup(t.app)];
  await addMember(t.db.adminUrl, admin.tenantId, member.userId, 'member');
  await addMember(t.db.adminUrl, admin.tenantId, auditor.userId, 'auditor');
  await addMember(t.db.adminUrl, admin.tenantId, viewer.userId, 'viewer');
  other = await signup(t.app, { organization: 'Other Org' });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});
beforeEach(() => sink.reset());

const base = (tenantId = admin.tenantId): string => `/api/v1/tenants/${tenantId}/invitations`;

/** The token of the first mail to `email` received after the `after`-th message, waiting for it. */
async function linkFor(email: string, after: number): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    // Mails of earlier tests may still arrive meanwhile: look for this address, not a count.
    const mail = sink.messages.slice(after).find((m) => m.envelopeTo.includes(email));
    const link = /https:\/\/duty\.example\.test\/invitations\/accept\?token=([^\s"<]+)/.exec(mail?.parsed.text ?? '');
    if (link?.[1]) return decodeURIComponent(link[1]);
    if (Date.now() > deadline) throw new Error(`no invitation mail to ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function invite(as: Account, email: string, role = 'member'): Promise<{ id: string; token: string }> {
  const before = sink.messages.length;
  const res = await call({ method: 'POST', url: base(as.tenantId), token: as.accessToken, payload: { email, role } });
  expect(res.statusCode).toBe(201);
  return { id: res.json<{ id: string }>().id, token: await linkFor(email, before) };
}

const accept = (token: string) =>
  call({ method: 'POST', url: '/api/v1/invitations/accept', payload: { token, name: 'New Person', password: PASSWORD } });

interface ListItem {
  id: string;
  email: string;
  role: string;
  state: string;
  expiresAt: string;
  createdAt: string;
  invitedBy: { id: string; name: string | null };
}

async function list(query = ''): Promise<{ items: ListItem[]; nextCursor: string | null }> {
  const res = await call({ method: 'GET', url: `${base()}${query}`, token: admin.accessToken });
  expect(res.statusCode).toBe(200);
  return res.json();
}

async function auditActions(tenantId: string): Promise<{ action: string; entity_id: string; data: Record<string, unknown> }[]> {
  return query(t.db.adminUrl, 'SELECT action, entity_id, data FROM audit_event WHERE tenant_id = $1 ORDER BY seq', [tenantId]);
}

describe('listing invitations', () => {
  it('shows pending and expired invitations with role, expiry and inviter; accepted and revoked ones are gone', async () => {
    const pendingEmail = uniqueEmail('a-pending');
    const expiredEmail = uniqueEmail('b-expired');
    const acceptedEmail = uniqueEmail('c-accepted');
    const pending = await invite(admin, pendingEmail, 'auditor');
    const expired = await invite(admin, expiredEmail, 'viewer');
    const accepted = await invite(admin, acceptedEmail);
    await query(t.db.adminUrl, "UPDATE invitation SET expires_at = now() - interval '1 hour' WHERE id = $1", [expired.id]);
    expect((await accept(accepted.token)).statusCode).toBe(200);

    const items = (await list('?limit=200')).items;
    const mine = items.filter((i) => [pendingEmail, expiredEmail, acceptedEmail].includes(i.email));
    expect(mine.map((i) => [i.email, i.state, i.role])).toEqual([
      [pendingEmail, 'pending', 'auditor'],
      [expiredEmail, 'expired', 'viewer'],
    ]);
    expect(mine[0]).toMatchObject({ id: pending.id, invitedBy: { id: admin.userId, name: expect.any(String) as string } });
    expect(Date.parse(mine[0]!.expiresAt)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(Date.parse(mine[1]!.expiresAt)).toBeLessThan(Date.now());
  });

  it('pages by keyset: every open invitation once, in address order', async () => {
    for (let i = 0; i < 3; i++) await invite(admin, uniqueEmail(`page${i}`));
    const all = (await list('?limit=200')).items.map((i) => i.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThanOrEqual(3);
  });
});

describe('resending an invitation', () => {
  it('mails a new link after commit; the old link stops working, the new one joins', async () => {
    const email = uniqueEmail('resend');
    const first = await invite(admin, email);
    await query(t.db.adminUrl, "UPDATE invitation SET expires_at = now() - interval '1 minute' WHERE id = $1", [first.id]);
    const before = sink.messages.length;
    const res = await call({ method: 'POST', url: `${base()}/${first.id}/resend`, token: admin.accessToken });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: first.id, email, role: 'member' });
    expect(Date.parse(res.json<{ expiresAt: string }>().expiresAt)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    const second = await linkFor(email, before);
    expect(second).not.toBe(first.token);
    // The worker sent it from a job queued in the resend's transaction.
    const jobs = await query<{ state: string }>(
      t.db.adminUrl,
      "SELECT state FROM pgboss.job WHERE name = 'invitation-mail' AND data->>'invitationId' = $1 ORDER BY created_on",
      [first.id],
    );
    expect(jobs).toHaveLength(2);

    const old = await accept(first.token);
    expect(old.statusCode).toBe(410);
    expect(old.json<{ code: string }>().code).toBe('INVITATION_INVALID');
    expect((await accept(second)).statusCode).toBe(200);

    const events = (await auditActions(admin.tenantId)).filter((e) => e.entity_id === first.id);
    expect(events.map((e) => e.action)).toEqual(['member.invited', 'invitation.resent']);
  });

  it('counts against the invitation limits (per recipient: 3 an hour here)', async () => {
    const email = uniqueEmail('limited');
    const inv = await invite(admin, email);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++)
      codes.push((await call({ method: 'POST', url: `${base()}/${inv.id}/resend`, token: admin.accessToken })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
  });

  it('an accepted, revoked or unknown invitation: 404 INVITATION_NOT_FOUND, nothing mailed', async () => {
    const emails = [uniqueEmail('acc'), uniqueEmail('rev')];
    const accepted = await invite(admin, emails[0]!);
    expect((await accept(accepted.token)).statusCode).toBe(200);
    const revoked = await invite(admin, emails[1]!);
    expect((await call({ method: 'DELETE', url: `${base()}/${revoked.id}`, token: admin.accessToken })).statusCode).toBe(204);
    const before = sink.messages.length;
    for (const id of [accepted.id, revoked.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await call({ method: 'POST', url: `${base()}/${id}/resend`, token: admin.accessToken });
      expect(res.statusCode).toBe(404);
      expect(res.json<{ code: string }>().code).toBe('INVITATION_NOT_FOUND');
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sink.messages.slice(before).filter((m) => emails.some((e) => m.envelopeTo.includes(e)))).toEqual([]);
  });

  it('refuses when the address became a member meanwhile: 409 ALREADY_MEMBER', async () => {
    const person = await signup(t.app);
    const inv = await invite(admin, person.email);
    await addMember(t.db.adminUrl, admin.tenantId, person.userId, 'viewer');
    const res = await call({ method: 'POST', url: `${base()}/${inv.id}/resend`, token: admin.accessToken });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ code: string }>().code).toBe('ALREADY_MEMBER');
  });
});

describe('revoking an invitation', () => {
  it('its link then answers 410 INVITATION_REVOKED; it leaves the list; audit event; the address can be invited again', async () => {
    const email = uniqueEmail('revoke');
    const inv = await invite(admin, email, 'auditor');
    const res = await call({ method: 'DELETE', url: `${base()}/${inv.id}`, token: admin.accessToken });
    expect(res.statusCode).toBe(204);
    const refused = await accept(inv.token);
    expect(refused.statusCode).toBe(410);
    expect(refused.json<{ code: string; message: string }>()).toMatchObject({
      code: 'INVITATION_REVOKED',
      message: expect.stringContaining('revoked') as string,
    });
    expect((await list('?limit=200')).items.map((i) => i.id)).not.toContain(inv.id);
    const again = await call({ method: 'DELETE', url: `${base()}/${inv.id}`, token: admin.accessToken });
    expect(again.statusCode).toBe(404);
    expect(again.json<{ code: string }>().code).toBe('INVITATION_NOT_FOUND');
    const events = (await auditActions(admin.tenantId)).filter((e) => e.entity_id === inv.id);
    expect(events.map((e) => [e.action, e.data.email])).toEqual([
      ['member.invited', email],
      ['invitation.revoked', email],
    ]);
    // A new invitation for the same address works (the revoked one keeps its own row).
    const fresh = await invite(admin, email, 'viewer');
    expect((await accept(fresh.token)).statusCode).toBe(200);
    expect((await accept(inv.token)).json<{ code: string }>().code).toBe('INVITATION_REVOKED');
  });

  it('a mail still queued for a revoked invitation is not sent', async () => {
    const email = uniqueEmail('queued');
    const res = await call({ method: 'POST', url: base(), token: admin.accessToken, payload: { email, role: 'member' } });
    const id = res.json<{ id: string }>().id;
    // Revoked in the same breath: the worker may or may not have sent it yet; if the job runs now, it skips.
    await call({ method: 'DELETE', url: `${base()}/${id}`, token: admin.accessToken });
    const job = await until('the invitation job to settle', async () => {
      const [row] = await query<{ state: string; output: { outcome?: string } | null }>(
        t.db.adminUrl,
        "SELECT state, output FROM pgboss.job WHERE name = 'invitation-mail' AND data->>'invitationId' = $1",
        [id],
      );
      return row && row.state !== 'active' && row.state !== 'created' ? row : undefined;
    });
    expect(job.state).toBe('completed');
    const sent = sink.messages.filter((m) => m.envelopeTo.includes(email)).length;
    // Sent only if the worker picked the job up before the revoke committed.
    expect(sent).toBeLessThanOrEqual(1);
  });
});

describe('roles, isolation, bad input', () => {
  it('only admins: members, auditors and viewers get 403 FORBIDDEN and change nothing', async () => {
    const inv = await invite(admin, uniqueEmail('rbac'));
    for (const who of [member, auditor, viewer]) {
      for (const [method, url] of [
        ['GET', base()],
        ['POST', `${base()}/${inv.id}/resend`],
        ['DELETE', `${base()}/${inv.id}`],
      ] as const) {
        const res = await call({ method, url, token: who.accessToken });
        expect([who.email, method, res.statusCode, res.json<{ code: string }>().code]).toEqual([who.email, method, 403, 'FORBIDDEN']);
      }
    }
    expect((await list('?limit=200')).items.map((i) => i.id)).toContain(inv.id);
    expect((await call({ method: 'GET', url: base() })).statusCode).toBe(401);
  });

  it('another tenant’s invitation answers 404 and stays; another tenant’s list is 404 TENANT_NOT_FOUND', async () => {
    const theirs = await invite(other, uniqueEmail('theirs'));
    for (const [method, url] of [
      ['POST', `${base()}/${theirs.id}/resend`],
      ['DELETE', `${base()}/${theirs.id}`],
    ] as const) {
      const res = await call({ method, url, token: admin.accessToken });
      expect(res.statusCode).toBe(404);
      expect(res.json<{ code: string }>().code).toBe('INVITATION_NOT_FOUND');
    }
    for (const [method, url] of [
      ['GET', base(other.tenantId)],
      ['POST', `${base(other.tenantId)}/${theirs.id}/resend`],
      ['DELETE', `${base(other.tenantId)}/${theirs.id}`],
    ] as const) {
      const res = await call({ method, url, token: admin.accessToken });
      expect(res.statusCode).toBe(404);
      expect(res.json<{ code: string }>().code).toBe('TENANT_NOT_FOUND');
    }
    const [row] = await query<{ revoked_at: Date | null }>(t.db.adminUrl, 'SELECT revoked_at FROM invitation WHERE id = $1', [theirs.id]);
    expect(row?.revoked_at).toBeNull();
    expect((await accept(theirs.token)).statusCode).toBe(200);
  });

  it('bad ids, limits and cursors: 400 with a code, never 5xx', async () => {
    const cases: [string, string, string][] = [
      ['POST', `${base()}/not-a-uuid/resend`, 'VALIDATION_FAILED'],
      ['DELETE', `${base()}/123`, 'VALIDATION_FAILED'],
      ['GET', `${base()}?limit=0`, 'VALIDATION_FAILED'],
      ['GET', `${base()}?limit=201`, 'VALIDATION_FAILED'],
      ['GET', `${base()}?limit=abc`, 'VALIDATION_FAILED'],
      ['GET', `${base()}?cursor=bm90LWEtY3Vyc29y`, 'INVALID_CURSOR'],
      ['GET', `${base()}?cursor=${'x'.repeat(600)}`, 'VALIDATION_FAILED'],
      ['GET', `${base()}?unknown=1`, 'VALIDATION_FAILED'],
    ];
    for (const [method, url, code] of cases) {
      const res = await call({ method: method as 'GET', url, token: admin.accessToken });
      expect([url, res.statusCode, res.json<{ code: string }>().code]).toEqual([url, 400, code]);
    }
  });
});
