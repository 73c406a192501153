/**
 * Tenant isolation: an admin of tenant B, using tenant A's ids on every tenant-scoped endpoint,
 * learns nothing (the same 404 as for a tenant that does not exist) and changes nothing in A.
 */
import type { LightMyRequestResponse } from 'fastify';
import { caller, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { insertMember as insertMemberRow } from '../factories/tenancy';
import { bootTestApp, type TestApp } from '../harness/app';
import { query } from '../harness/database';

let t: TestApp;
let call: Caller;
let adminA: Account;
let adminB: Account;
/** Other members of A (never logging in) and A's pending invitation. */
let memberA: string;
let auditorA: string;
let invitedEmailA: string;
let memberB: string;

const NO_SUCH_TENANT = '00000000-0000-4000-8000-000000000000';

interface Snapshot {
  tenant: Record<string, unknown>[];
  memberships: Record<string, unknown>[];
  invitations: Record<string, unknown>[];
}

/** Every row of a tenant, read as superuser behind the app's back. */
async function snapshotOf(tenantId: string): Promise<Snapshot> {
  const [tenant, memberships, invitations] = await Promise.all([
    query(t.db.adminUrl, 'SELECT id, name, created_by, created_at FROM tenant WHERE id = $1', [tenantId]),
    query(t.db.adminUrl, 'SELECT user_id, role, expires_at, created_at, updated_at FROM membership WHERE tenant_id = $1 ORDER BY user_id', [
      tenantId,
    ]),
    query(
      t.db.adminUrl,
      `SELECT id, email, role, membership_expires_at, token_hash, invited_by, created_at, expires_at, accepted_at, accepted_by
         FROM invitation WHERE tenant_id = $1 ORDER BY id`,
      [tenantId],
    ),
  ]);
  return { tenant, memberships, invitations };
}

/** An account inserted behind the app's back (it never logs in) with a role in a tenant. */
async function insertMember(tenantId: string, role: 'member' | 'auditor', expiresAt: Date | null = null): Promise<string> {
  return insertMemberRow(t.db.adminUrl, tenantId, role, expiresAt);
}

let snapshotA: Snapshot;
let snapshotB: Snapshot;

beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '1000/1h', RATE_LIMIT_LOGIN_IP: '1000/15m', RATE_LIMIT_LOGIN_ACCOUNT: '1000/15m' });
  call = caller(t.app);
  [adminA, adminB] = await Promise.all([
    signup(t.app, { email: uniqueEmail('admin-a'), organization: 'Alpha Org' }),
    signup(t.app, { email: uniqueEmail('admin-b'), organization: 'Beta Org' }),
  ]);
  memberA = await insertMember(adminA.tenantId, 'member');
  auditorA = await insertMember(adminA.tenantId, 'auditor', new Date(Date.now() + 86_400_000));
  memberB = await insertMember(adminB.tenantId, 'member');
  invitedEmailA = uniqueEmail('invited-to-a');
  const invited = await call({
    method: 'POST',
    url: `/api/v1/tenants/${adminA.tenantId}/invitations`,
    payload: { email: invitedEmailA, role: 'viewer' },
    token: adminA.accessToken,
  });
  if (invited.statusCode !== 201) throw new Error(`setup invitation failed: ${invited.statusCode} ${invited.body}`);
  snapshotA = await snapshotOf(adminA.tenantId);
  snapshotB = await snapshotOf(adminB.tenantId);
});
afterAll(async () => t.close());

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: res.statusCode, code: res.json<{ code?: unknown }>().code }).toEqual({ status, code });
  expect(res.json()).toEqual({ statusCode: status, code, message: expect.any(String), requestId: res.headers['x-request-id'] });
}

/** Nothing of A shows in an answer to B. */
function expectNothingOfA(res: LightMyRequestResponse): void {
  for (const secret of ['Alpha Org', adminA.email, adminA.userId, memberA, auditorA, invitedEmailA]) expect(res.body).not.toContain(secret);
}

interface Attempt {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: () => string;
  payload?: () => Record<string, unknown>;
}

const A = (): string => adminA.tenantId;

/** Every tenant-scoped endpoint, aimed at A's tenant and A's people. */
const CROSS_TENANT: Attempt[] = [
  { name: 'GET A', method: 'GET', url: () => `/api/v1/tenants/${A()}` },
  { name: 'GET A members', method: 'GET', url: () => `/api/v1/tenants/${A()}/members` },
  { name: 'GET A members, paged', method: 'GET', url: () => `/api/v1/tenants/${A()}/members?limit=1` },
  {
    name: "PATCH A's member",
    method: 'PATCH',
    url: () => `/api/v1/tenants/${A()}/members/${memberA}`,
    payload: () => ({ role: 'viewer' }),
  },
  {
    name: "PATCH A's auditor (drop the expiry)",
    method: 'PATCH',
    url: () => `/api/v1/tenants/${A()}/members/${auditorA}`,
    payload: () => ({ expiresAt: null }),
  },
  {
    name: "PATCH A's admin down",
    method: 'PATCH',
    url: () => `/api/v1/tenants/${A()}/members/${adminA.userId}`,
    payload: () => ({ role: 'viewer' }),
  },
  {
    name: 'PATCH B admin into A as admin',
    method: 'PATCH',
    url: () => `/api/v1/tenants/${A()}/members/${adminB.userId}`,
    payload: () => ({ role: 'admin' }),
  },
  { name: "DELETE A's member", method: 'DELETE', url: () => `/api/v1/tenants/${A()}/members/${memberA}` },
  { name: "DELETE A's admin", method: 'DELETE', url: () => `/api/v1/tenants/${A()}/members/${adminA.userId}` },
  { name: 'DELETE B admin from A', method: 'DELETE', url: () => `/api/v1/tenants/${A()}/members/${adminB.userId}` },
  {
    name: 'POST invitation into A',
    method: 'POST',
    url: () => `/api/v1/tenants/${A()}/invitations`,
    payload: () => ({ email: uniqueEmail('b-plant'), role: 'admin' }),
  },
  {
    name: "POST invitation replacing A's pending one",
    method: 'POST',
    url: () => `/api/v1/tenants/${A()}/invitations`,
    payload: () => ({ email: invitedEmailA, role: 'admin' }),
  },
  {
    name: 'POST invitation of B admin into A',
    method: 'POST',
    url: () => `/api/v1/tenants/${A()}/invitations`,
    payload: () => ({ email: adminB.email, role: 'admin' }),
  },
];

describe("B's admin on A's tenant id: 404 TENANT_NOT_FOUND, A unchanged", () => {
  it.each(CROSS_TENANT)('$name', async (attempt) => {
    const payload = attempt.payload?.();
    const res = await call({ method: attempt.method, url: attempt.url(), ...(payload ? { payload } : {}), token: adminB.accessToken });
    expectError(res, 404, 'TENANT_NOT_FOUND');
    expectNothingOfA(res);
    expect(await snapshotOf(adminA.tenantId)).toEqual(snapshotA);
    expect(await snapshotOf(adminB.tenantId)).toEqual(snapshotB);
  });

  it('the 404 is the same as for a tenant that does not exist (no existence oracle)', async () => {
    const stripped = async (tenantId: string): Promise<unknown> => {
      const res = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}/members`, token: adminB.accessToken });
      return { status: res.statusCode, ...res.json<Record<string, unknown>>(), requestId: null };
    };
    expect(await stripped(A())).toEqual(await stripped(NO_SUCH_TENANT));
  });

  it("A's tenant and people do not show in B's own lists", async () => {
    const mine = await call({ method: 'GET', url: '/api/v1/tenants', token: adminB.accessToken });
    expect(mine.statusCode).toBe(200);
    expect(mine.json<{ items: { tenantId: string }[] }>().items.map((m) => m.tenantId)).toEqual([adminB.tenantId]);
    expectNothingOfA(mine);
    const me = await call({ method: 'GET', url: '/api/v1/me', token: adminB.accessToken });
    expect(me.json<{ memberships: { tenantId: string }[] }>().memberships.map((m) => m.tenantId)).toEqual([adminB.tenantId]);
    const members = await call({ method: 'GET', url: `/api/v1/tenants/${adminB.tenantId}/members`, token: adminB.accessToken });
    expect(members.statusCode).toBe(200);
    expect(
      members
        .json<{ items: { userId: string }[] }>()
        .items.map((m) => m.userId)
        .sort(),
    ).toEqual([adminB.userId, memberB].sort());
    expectNothingOfA(members);
  });

  it("A's admin still sees A intact afterwards (sanity check of the fixture)", async () => {
    const res = await call({ method: 'GET', url: `/api/v1/tenants/${A()}/members`, token: adminA.accessToken });
    expect(res.statusCode).toBe(200);
    expect(
      res
        .json<{ items: { userId: string; role: string }[] }>()
        .items.map((m) => [m.userId, m.role])
        .sort(),
    ).toEqual(
      [
        [adminA.userId, 'admin'],
        [memberA, 'member'],
        [auditorA, 'auditor'],
      ].sort(),
    );
  });
});

/** B's own tenant, but A's people: they are not members of B. */
const OWN_TENANT_FOREIGN_USER: Attempt[] = [
  {
    name: "PATCH A's member in B",
    method: 'PATCH',
    url: () => `/api/v1/tenants/${adminB.tenantId}/members/${memberA}`,
    payload: () => ({ role: 'viewer' }),
  },
  {
    name: "PATCH A's admin in B",
    method: 'PATCH',
    url: () => `/api/v1/tenants/${adminB.tenantId}/members/${adminA.userId}`,
    payload: () => ({ role: 'admin' }),
  },
  {
    name: "PATCH A's auditor's expiry in B",
    method: 'PATCH',
    url: () => `/api/v1/tenants/${adminB.tenantId}/members/${auditorA}`,
    payload: () => ({ expiresAt: '2099-01-01T00:00:00Z' }),
  },
  { name: "DELETE A's member from B", method: 'DELETE', url: () => `/api/v1/tenants/${adminB.tenantId}/members/${memberA}` },
  { name: "DELETE A's admin from B", method: 'DELETE', url: () => `/api/v1/tenants/${adminB.tenantId}/members/${adminA.userId}` },
];

describe("B's admin on B's tenant with A's user ids: 404 MEMBER_NOT_FOUND, A and B unchanged", () => {
  it.each(OWN_TENANT_FOREIGN_USER)('$name', async (attempt) => {
    const payload = attempt.payload?.();
    const res = await call({ method: attempt.method, url: attempt.url(), ...(payload ? { payload } : {}), token: adminB.accessToken });
    expectError(res, 404, 'MEMBER_NOT_FOUND');
    expectNothingOfA(res);
    expect(await snapshotOf(adminA.tenantId)).toEqual(snapshotA);
    expect(await snapshotOf(adminB.tenantId)).toEqual(snapshotB);
  });
});

const MALFORMED_TENANT_IDS = ['not-a-uuid', '12345', "1'%20OR%20'1'='1", 'null', `${NO_SUCH_TENANT}x`, NO_SUCH_TENANT.replaceAll('-', '')];

describe('a malformed tenant id: 404 TENANT_NOT_FOUND, never 400 or 500', () => {
  const routes: { method: Attempt['method']; path: (id: string) => string; payload?: Record<string, unknown> }[] = [
    { method: 'GET', path: (id) => `/api/v1/tenants/${id}` },
    { method: 'GET', path: (id) => `/api/v1/tenants/${id}/members` },
    { method: 'PATCH', path: (id) => `/api/v1/tenants/${id}/members/${NO_SUCH_TENANT}`, payload: { role: 'viewer' } },
    { method: 'DELETE', path: (id) => `/api/v1/tenants/${id}/members/${NO_SUCH_TENANT}` },
    { method: 'POST', path: (id) => `/api/v1/tenants/${id}/invitations`, payload: { email: 'someone@example.test', role: 'viewer' } },
  ];
  const cases = MALFORMED_TENANT_IDS.flatMap((id) => routes.map((r) => ({ ...r, id, label: `${r.method} ${r.path(id)}` })));

  it.each(cases)('$label', async ({ method, path, payload, id }) => {
    const res = await call({ method, url: path(id), ...(payload ? { payload } : {}), token: adminB.accessToken });
    expectError(res, 404, 'TENANT_NOT_FOUND');
  });

  it('writes nothing anywhere', async () => {
    const [count] = await query<{ n: string }>(t.db.adminUrl, "SELECT count(*) AS n FROM invitation WHERE email = 'someone@example.test'");
    expect(count?.n).toBe('0');
    expect(await snapshotOf(adminA.tenantId)).toEqual(snapshotA);
    expect(await snapshotOf(adminB.tenantId)).toEqual(snapshotB);
  });
});
