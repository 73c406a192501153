import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { addMembership } from '../factories/tenancy';

// Issue 12, item 10: 60 invitations went out in 2.6 s. Limits per inviter, per tenant and per
// recipient address (across tenants); a refused invitation stores nothing and queues no mail.

let t: TestApp;
let call: Caller;
beforeAll(async () => {
  t = await bootTestApp({
    RATE_LIMIT_SIGNUP: '1000/1h',
    RATE_LIMIT_INVITATION_INVITER: '3/1h',
    RATE_LIMIT_INVITATION_TENANT: '5/1d',
    RATE_LIMIT_INVITATION_RECIPIENT: '2/1d',
  });
  call = caller(t.app);
});
afterAll(async () => t.close());

type Res = Awaited<ReturnType<Caller>>;
const invite = (by: { accessToken: string }, tenantId: string, email: string): Promise<Res> =>
  call({ method: 'POST', url: `/api/v1/tenants/${tenantId}/invitations`, token: by.accessToken, payload: { email, role: 'member' } });

async function expectLimited(res: Res, maxSeconds: number, email: string): Promise<void> {
  expect(res.statusCode).toBe(429);
  expect(res.json()).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
  const retry = Number(res.headers['retry-after']);
  expect(retry).toBeGreaterThan(0);
  expect(retry).toBeLessThanOrEqual(maxSeconds);
  expect(await query(t.db.adminUrl, 'SELECT 1 FROM invitation WHERE email = $1', [email])).toHaveLength(0);
}

describe('invitation limits', () => {
  it('per inviter, then per tenant: refused invitations store nothing and queue no mail', async () => {
    const admin = await signup(t.app);
    for (let i = 0; i < 3; i++) expect((await invite(admin, admin.tenantId, uniqueEmail('inv'))).statusCode).toBe(201);
    const fourth = uniqueEmail('inv');
    await expectLimited(await invite(admin, admin.tenantId, fourth), 3600, fourth);

    // A second admin of the tenant has an allowance of their own, up to the tenant's.
    const second = await signup(t.app);
    await addMembership(t.db.adminUrl, admin.tenantId, second.userId, 'admin');
    expect((await invite(second, admin.tenantId, uniqueEmail('inv'))).statusCode).toBe(201);
    // The tenant has counted 5 attempts (the refused one too): the next is over its limit.
    const over = uniqueEmail('inv');
    await expectLimited(await invite(second, admin.tenantId, over), 86400, over);

    const jobs = await query<{ n: number }>(
      t.db.adminUrl,
      `SELECT count(*)::int AS n FROM pgboss.job j JOIN invitation i ON i.id = (j.data->>'invitationId')::uuid
       WHERE j.name = 'invitation-mail' AND i.tenant_id = $1`,
      [admin.tenantId],
    );
    expect(jobs).toEqual([{ n: 4 }]);
  });

  it('per recipient address, across tenants', async () => {
    const victim = uniqueEmail('victim');
    const a: Account = await signup(t.app);
    const b: Account = await signup(t.app);
    expect((await invite(a, a.tenantId, victim)).statusCode).toBe(201);
    // Re-inviting replaces the pending invitation, and still counts.
    expect((await invite(a, a.tenantId, victim)).statusCode).toBe(201);
    const third = await invite(b, b.tenantId, victim);
    expect(third.statusCode).toBe(429);
    expect(third.json<{ code: string }>().code).toBe('RATE_LIMITED');
    expect(Number(third.headers['retry-after'])).toBeLessThanOrEqual(86400);
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM invitation WHERE email = $1 AND tenant_id = $2', [victim, b.tenantId])).toHaveLength(
      0,
    );
    // Other addresses are not affected.
    expect((await invite(b, b.tenantId, uniqueEmail('other'))).statusCode).toBe(201);
  });
});
