/**
 * Role matrix of the tenancy endpoints: every endpoint x every kind of caller, read from the
 * table below. Allowed calls are checked for their effect, refused ones for its absence.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../libs/core';
import { addMember, caller, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { insertTenant, insertUser } from '../factories/tenancy';
import { bootTestApp, type TestApp } from '../harness/app';
import { query } from '../harness/database';

/** Who calls: a role in the tenant, an account of another tenant only, an expired membership, nobody. */
type Who = 'admin' | 'member' | 'auditor' | 'viewer' | 'nonMember' | 'expired' | 'noToken';
const WHO: readonly Who[] = ['admin', 'member', 'auditor', 'viewer', 'nonMember', 'expired', 'noToken'];
const MEMBER_ROLES: readonly Role[] = ['admin', 'member', 'auditor', 'viewer'];

type Status = 200 | 201 | 204 | 401 | 403 | 404;
type Row = { readonly endpoint: string } & Readonly<Record<Who, Status>>;

/**
 * The expected answer of each endpoint for each caller. `expired` is an admin whose membership
 * ended a minute ago: it must be treated exactly like a non-member.
 * (other) = acting on another member of the tenant; (self) = the caller acting on itself (leaving).
 */
const MATRIX = [
  // endpoint                                                             admin       member       auditor       viewer       nonMember       expired       noToken
  { endpoint: 'GET    /api/v1/me', admin: 200, member: 200, auditor: 200, viewer: 200, nonMember: 200, expired: 200, noToken: 401 },
  { endpoint: 'PATCH  /api/v1/me', admin: 200, member: 200, auditor: 200, viewer: 200, nonMember: 200, expired: 200, noToken: 401 },
  { endpoint: 'POST   /api/v1/tenants', admin: 201, member: 201, auditor: 201, viewer: 201, nonMember: 201, expired: 201, noToken: 401 },
  { endpoint: 'GET    /api/v1/tenants', admin: 200, member: 200, auditor: 200, viewer: 200, nonMember: 200, expired: 200, noToken: 401 },
  {
    endpoint: 'GET    /api/v1/tenants/:tenantId',
    admin: 200,
    member: 200,
    auditor: 200,
    viewer: 200,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'GET    /api/v1/tenants/:tenantId/members',
    admin: 200,
    member: 200,
    auditor: 200,
    viewer: 200,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'PATCH  /api/v1/tenants/:tenantId/members/:userId (other)',
    admin: 200,
    member: 403,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'DELETE /api/v1/tenants/:tenantId/members/:userId (other)',
    admin: 204,
    member: 403,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'DELETE /api/v1/tenants/:tenantId/members/:userId (self)',
    admin: 204,
    member: 204,
    auditor: 204,
    viewer: 204,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'POST   /api/v1/tenants/:tenantId/invitations',
    admin: 201,
    member: 403,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'PATCH  /api/v1/tenants/:tenantId',
    admin: 200,
    member: 403,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'DELETE /api/v1/tenants/:tenantId',
    admin: 204,
    member: 403,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'GET    /api/v1/tenants/:tenantId/invitations',
    admin: 200,
    member: 403,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'POST   /api/v1/tenants/:tenantId/invitations/:invitationId/resend',
    admin: 200,
    member: 403,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'DELETE /api/v1/tenants/:tenantId/invitations/:invitationId',
    admin: 204,
    member: 403,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
] as const satisfies readonly Row[];

type Endpoint = (typeof MATRIX)[number]['endpoint'];

/** The error code that goes with each refusal. */
const CODE_OF: Readonly<Record<number, string>> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'TENANT_NOT_FOUND' };

interface Prepared {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  payload?: Record<string, unknown>;
  token: string | undefined;
  /** After the answer: the effect is there when allowed, absent when refused. */
  verify(res: LightMyRequestResponse, allowed: boolean): Promise<void>;
}
type Scenario = (who: Who) => Promise<Prepared>;

let t: TestApp;
let call: Caller;
/** The tenant under test and the accounts calling it (each also admin of its own sign-up tenant). */
let tenantId: string;
let actors: Record<Exclude<Who, 'noToken'>, Account>;

beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '1000/1h', RATE_LIMIT_LOGIN_IP: '1000/15m', RATE_LIMIT_LOGIN_ACCOUNT: '1000/15m' });
  call = caller(t.app);
  const admin = await signup(t.app, { organization: 'RBAC Org', email: uniqueEmail('admin') });
  tenantId = admin.tenantId;
  const [member, auditor, viewer, nonMember, expired] = await Promise.all(
    ['member', 'auditor', 'viewer', 'outsider', 'expired'].map((prefix) =>
      signup(t.app, { email: uniqueEmail(prefix), organization: `${prefix} own org` }),
    ),
  );
  actors = { admin, member: member!, auditor: auditor!, viewer: viewer!, nonMember: nonMember!, expired: expired! };
  await addMember(t.db.adminUrl, tenantId, actors.member.userId, 'member');
  await addMember(t.db.adminUrl, tenantId, actors.auditor.userId, 'auditor');
  await addMember(t.db.adminUrl, tenantId, actors.viewer.userId, 'viewer');
  await addMember(t.db.adminUrl, tenantId, actors.expired.userId, 'admin', new Date(Date.now() - 60_000));
});
afterAll(async () => t.close());

const tokenOf = (who: Who): string | undefined => (who === 'noToken' ? undefined : actors[who].accessToken);
const isRole = (who: Who): who is Role => (MEMBER_ROLES as readonly string[]).includes(who);

/** A new account (inserted behind the app's back: it never logs in) with a role in the tenant. */
async function freshTarget(role: Role = 'member'): Promise<string> {
  const user = await insertUser(t.db.adminUrl, { email: uniqueEmail('target'), name: 'Target' });
  await addMember(t.db.adminUrl, tenantId, user.id, role);
  return user.id;
}

/** The first row of a read behind the app's back (superuser: no row-level security). */
async function rowOf<T>(sql: string, params: unknown[]): Promise<T | undefined> {
  const [row] = await query<T>(t.db.adminUrl, sql, params);
  return row;
}

async function membershipOf(userId: string, tenant = tenantId): Promise<{ role: Role; expires_at: Date | null } | undefined> {
  return rowOf<{ role: Role; expires_at: Date | null }>('SELECT role, expires_at FROM membership WHERE tenant_id = $1 AND user_id = $2', [
    tenant,
    userId,
  ]);
}

/**
 * A tenant of its own for the calls that change or delete one (the shared tenant stays as the
 * other rows expect it): every actor holds the same role in it as in the shared one.
 */
async function freshTenant(): Promise<{ id: string; name: string }> {
  const name = `Fresh ${uniqueEmail('org')}`;
  const id = await insertTenant(t.db.adminUrl, actors.admin.userId, name);
  for (const role of MEMBER_ROLES) await addMember(t.db.adminUrl, id, actors[role].userId, role);
  await addMember(t.db.adminUrl, id, actors.expired.userId, 'admin', new Date(Date.now() - 60_000));
  return { id, name };
}

/** A pending invitation of the shared tenant, written behind the app's back. */
async function freshInvitation(): Promise<{ id: string; email: string; tokenHash: string }> {
  const email = uniqueEmail('pending');
  const [row] = await query<{ id: string; token_hash: string }>(
    t.db.adminUrl,
    `INSERT INTO invitation (tenant_id, email, role, token_hash, invited_by, expires_at)
     VALUES ($1, $2, 'viewer', md5(random()::text) || md5(random()::text), $3, now() + interval '7 days') RETURNING id, token_hash`,
    [tenantId, email, actors.admin.userId],
  );
  return { id: row!.id, email, tokenHash: row!.token_hash };
}

const SCENARIOS: Record<Endpoint, Scenario> = {
  'GET    /api/v1/me': (who) =>
    Promise.resolve({
      method: 'GET',
      url: '/api/v1/me',
      token: tokenOf(who),
      verify(res, allowed) {
        if (!allowed || who === 'noToken') return Promise.resolve();
        const body = res.json<{ user: { id: string; email: string }; memberships: { tenantId: string; role: Role }[] }>();
        expect(body.user).toEqual(expect.objectContaining({ id: actors[who].userId, email: actors[who].email }));
        expect(body.user).not.toHaveProperty('passwordHash');
        const here = body.memberships.find((m) => m.tenantId === tenantId);
        // The expired membership is not listed; the non-member never had one.
        expect(here?.role).toBe(isRole(who) ? who : undefined);
        return Promise.resolve();
      },
    }),

  // One's own name, whatever one's roles: only the caller's account changes.
  'PATCH  /api/v1/me': (who) => {
    const name = `Renamed ${who}`;
    return Promise.resolve({
      method: 'PATCH',
      url: '/api/v1/me',
      payload: { name },
      token: tokenOf(who),
      async verify(res, allowed) {
        const names = await query<{ id: string }>(t.db.adminUrl, 'SELECT id FROM app_user WHERE name = $1', [name]);
        if (!allowed || who === 'noToken') {
          expect(names).toEqual([]);
          return;
        }
        expect(res.json<{ id: string; name: string }>()).toEqual(expect.objectContaining({ id: actors[who].userId, name }));
        expect(names).toEqual([{ id: actors[who].userId }]);
      },
    });
  },

  'POST   /api/v1/tenants': (who) => {
    const name = `New org ${uniqueEmail(who)}`;
    return Promise.resolve({
      method: 'POST',
      url: '/api/v1/tenants',
      payload: { name },
      token: tokenOf(who),
      async verify(res, allowed) {
        const rows = await query<{ id: string; created_by: string }>(t.db.adminUrl, 'SELECT id, created_by FROM tenant WHERE name = $1', [
          name,
        ]);
        if (!allowed || who === 'noToken') {
          expect(rows).toEqual([]);
          return;
        }
        const body = res.json<{ id: string; name: string; role: Role }>();
        expect(body).toEqual(expect.objectContaining({ name, role: 'admin' }));
        expect(rows).toEqual([{ id: body.id, created_by: actors[who].userId }]);
        expect((await membershipOf(actors[who].userId, body.id))?.role).toBe('admin');
      },
    });
  },

  'GET    /api/v1/tenants': (who) =>
    Promise.resolve({
      method: 'GET',
      url: '/api/v1/tenants',
      token: tokenOf(who),
      verify(res, allowed) {
        if (!allowed || who === 'noToken') return Promise.resolve();
        const body = res.json<{ items: { tenantId: string; role: Role }[]; nextCursor: string | null }>();
        expect(body.items.find((m) => m.tenantId === tenantId)?.role).toBe(isRole(who) ? who : undefined);
        // Every account is admin of its own sign-up tenant.
        expect(body.items.find((m) => m.tenantId === actors[who].tenantId)?.role).toBe('admin');
        return Promise.resolve();
      },
    }),

  'GET    /api/v1/tenants/:tenantId': (who) =>
    Promise.resolve({
      method: 'GET',
      url: `/api/v1/tenants/${tenantId}`,
      token: tokenOf(who),
      verify(res, allowed) {
        if (allowed) expect(res.json()).toEqual({ id: tenantId, name: 'RBAC Org', createdAt: expect.any(String), role: who });
        else expect(res.body).not.toContain('RBAC Org');
        return Promise.resolve();
      },
    }),

  'GET    /api/v1/tenants/:tenantId/members': (who) =>
    Promise.resolve({
      method: 'GET',
      url: `/api/v1/tenants/${tenantId}/members`,
      token: tokenOf(who),
      verify(res, allowed) {
        if (!allowed) {
          expect(res.body).not.toContain(actors.admin.email);
          return Promise.resolve();
        }
        const body = res.json<{ items: { userId: string; role: Role }[] }>();
        const roles = new Map(body.items.map((m) => [m.userId, m.role]));
        expect(roles.get(actors.admin.userId)).toBe('admin');
        expect(roles.get(actors.member.userId)).toBe('member');
        expect(roles.get(actors.auditor.userId)).toBe('auditor');
        expect(roles.get(actors.viewer.userId)).toBe('viewer');
        expect(roles.has(actors.nonMember.userId)).toBe(false);
        expect(roles.has(actors.expired.userId)).toBe(false);
        return Promise.resolve();
      },
    }),

  'PATCH  /api/v1/tenants/:tenantId/members/:userId (other)': async (who) => {
    const target = await freshTarget('member');
    return {
      method: 'PATCH',
      url: `/api/v1/tenants/${tenantId}/members/${target}`,
      payload: { role: 'viewer' },
      token: tokenOf(who),
      async verify(res, allowed) {
        if (allowed) expect(res.json()).toEqual(expect.objectContaining({ userId: target, role: 'viewer' }));
        expect((await membershipOf(target))?.role).toBe(allowed ? 'viewer' : 'member');
      },
    };
  },

  'DELETE /api/v1/tenants/:tenantId/members/:userId (other)': async (who) => {
    const target = await freshTarget('member');
    return {
      method: 'DELETE',
      url: `/api/v1/tenants/${tenantId}/members/${target}`,
      token: tokenOf(who),
      async verify(res, allowed) {
        if (allowed) expect(res.body).toBe('');
        expect(await membershipOf(target)).toEqual(allowed ? undefined : { role: 'member', expires_at: null });
      },
    };
  },

  'DELETE /api/v1/tenants/:tenantId/members/:userId (self)': async (who) => {
    if (isRole(who)) {
      // A fresh account with this role leaves, so the shared actors keep their memberships.
      const leaver = await signup(t.app, { email: uniqueEmail(`leaver-${who}`) });
      await addMember(t.db.adminUrl, tenantId, leaver.userId, who);
      return {
        method: 'DELETE',
        url: `/api/v1/tenants/${tenantId}/members/${leaver.userId}`,
        token: leaver.accessToken,
        async verify(_res, allowed) {
          expect(await membershipOf(leaver.userId)).toEqual(allowed ? undefined : { role: who, expires_at: null });
          // Gone means gone: the tenant is now invisible to it.
          const after = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, token: leaver.accessToken });
          expect(after.statusCode).toBe(allowed ? 404 : 200);
        },
      };
    }
    if (who === 'noToken') {
      const target = await freshTarget('viewer');
      return {
        method: 'DELETE',
        url: `/api/v1/tenants/${tenantId}/members/${target}`,
        token: undefined,
        async verify() {
          expect((await membershipOf(target))?.role).toBe('viewer');
        },
      };
    }
    const self = actors[who];
    const before = await membershipOf(self.userId);
    return {
      method: 'DELETE',
      url: `/api/v1/tenants/${tenantId}/members/${self.userId}`,
      token: self.accessToken,
      async verify() {
        // The expired row stays as it was (not deleted, not revived); the outsider has none.
        expect(await membershipOf(self.userId)).toEqual(before);
        expect((await membershipOf(self.userId, self.tenantId))?.role).toBe('admin');
      },
    };
  },

  'POST   /api/v1/tenants/:tenantId/invitations': (who) => {
    const email = uniqueEmail(`invitee-by-${who}`);
    return Promise.resolve({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/invitations`,
      payload: { email, role: 'auditor' },
      token: tokenOf(who),
      async verify(res, allowed) {
        const rows = await query<{ tenant_id: string; role: string; invited_by: string }>(
          t.db.adminUrl,
          'SELECT tenant_id, role, invited_by FROM invitation WHERE email = $1',
          [email],
        );
        if (!allowed) {
          expect(rows).toEqual([]);
          return;
        }
        expect(res.json()).toEqual(expect.objectContaining({ email, role: 'auditor', membershipExpiresAt: null }));
        expect(rows).toEqual([{ tenant_id: tenantId, role: 'auditor', invited_by: actors.admin.userId }]);
      },
    });
  },
  'PATCH  /api/v1/tenants/:tenantId': async (who) => {
    const tenant = await freshTenant();
    const name = `Renamed by ${who}`;
    return {
      method: 'PATCH',
      url: `/api/v1/tenants/${tenant.id}`,
      payload: { name },
      token: tokenOf(who),
      async verify(res, allowed) {
        if (allowed) expect(res.json()).toEqual(expect.objectContaining({ id: tenant.id, name }));
        const row = await rowOf<{ name: string }>('SELECT name FROM tenant WHERE id = $1', [tenant.id]);
        expect(row?.name).toBe(allowed ? name : tenant.name);
      },
    };
  },

  'DELETE /api/v1/tenants/:tenantId': async (who) => {
    const tenant = await freshTenant();
    return {
      method: 'DELETE',
      url: `/api/v1/tenants/${tenant.id}`,
      payload: { confirmName: tenant.name },
      token: tokenOf(who),
      async verify(_res, allowed) {
        const row = await rowOf<{ deleted: boolean }>('SELECT deleted_at IS NOT NULL AS deleted FROM tenant WHERE id = $1', [tenant.id]);
        expect(row?.deleted).toBe(allowed);
        const members = await rowOf<{ n: number }>('SELECT count(*)::int AS n FROM membership WHERE tenant_id = $1', [tenant.id]);
        expect(members?.n).toBe(allowed ? 0 : 5);
      },
    };
  },

  'GET    /api/v1/tenants/:tenantId/invitations': async (who) => {
    const invitation = await freshInvitation();
    return {
      method: 'GET',
      url: `/api/v1/tenants/${tenantId}/invitations?limit=200`,
      token: tokenOf(who),
      verify(res, allowed) {
        if (allowed) expect(res.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toContain(invitation.id);
        else expect(res.body).not.toContain(invitation.email);
        return Promise.resolve();
      },
    };
  },

  'POST   /api/v1/tenants/:tenantId/invitations/:invitationId/resend': async (who) => {
    const invitation = await freshInvitation();
    return {
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/invitations/${invitation.id}/resend`,
      token: tokenOf(who),
      async verify(res, allowed) {
        if (allowed) expect(res.json()).toEqual(expect.objectContaining({ email: invitation.email }));
        const row = await rowOf<{ token_hash: string }>('SELECT token_hash FROM invitation WHERE id = $1', [invitation.id]);
        // A resend gives the invitation a new secret: the old link stops working.
        if (allowed) expect(row?.token_hash).not.toBe(invitation.tokenHash);
        else expect(row?.token_hash).toBe(invitation.tokenHash);
      },
    };
  },

  'DELETE /api/v1/tenants/:tenantId/invitations/:invitationId': async (who) => {
    const invitation = await freshInvitation();
    return {
      method: 'DELETE',
      url: `/api/v1/tenants/${tenantId}/invitations/${invitation.id}`,
      token: tokenOf(who),
      async verify(_res, allowed) {
        const row = await rowOf<{ revoked: boolean }>('SELECT revoked_at IS NOT NULL AS revoked FROM invitation WHERE id = $1', [
          invitation.id,
        ]);
        expect(row?.revoked).toBe(allowed);
      },
    };
  },
};

describe.each(MATRIX)('$endpoint', (row) => {
  for (const who of WHO) {
    const status = row[who];
    const expectedCode = CODE_OF[status];
    it(`${who} -> ${status}${expectedCode ? ` ${expectedCode}` : ''}`, async () => {
      const prepared = await SCENARIOS[row.endpoint](who);
      const res = await call({
        method: prepared.method,
        url: prepared.url,
        ...(prepared.payload ? { payload: prepared.payload } : {}),
        ...(prepared.token ? { token: prepared.token } : {}),
      });
      if (expectedCode === undefined) {
        expect({ status: res.statusCode, body: res.statusCode >= 400 ? res.body : '' }).toEqual({ status, body: '' });
      } else {
        expect(res.statusCode).toBe(status);
        expect(res.json()).toEqual({
          statusCode: status,
          code: expectedCode,
          message: expect.any(String),
          requestId: res.headers['x-request-id'],
          // 403 names the caller's role and who may do it.
          ...(status === 403 ? { details: { role: who, allowed: ['admin'] } } : {}),
        });
      }
      await prepared.verify(res, expectedCode === undefined);
    });
  }
});

describe('membership edges', () => {
  it('the matrix has a row for every tenancy route the API documents, and no other', async () => {
    const doc = await call({ method: 'GET', url: '/docs/json' });
    const paths = doc.json<{ paths: Record<string, Record<string, unknown>> }>().paths;
    // Tenancy: /me, /tenants, a tenant, its members and invitations (other resources under a tenant have their own matrices).
    const tenancy = /^\/api\/v1\/(me|tenants(\/\{tenantId\}(\/(members|invitations)(\/.*)?)?)?)$/;
    const documented = Object.entries(paths)
      .filter(([p]) => tenancy.test(p))
      .flatMap(([p, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${p}`));
    const inMatrix = MATRIX.map((r) => {
      const [method, route] = r.endpoint.split(/\s+/);
      return `${method ?? ''} ${(route ?? '').replace(/:(\w+)/g, '{$1}')}`;
    });
    expect([...new Set(inMatrix)].sort()).toEqual(documented.sort());
  });

  it('an expired membership gets the very same 404 as a tenant that does not exist', async () => {
    const expired = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, token: actors.expired.accessToken });
    const nowhere = await call({
      method: 'GET',
      url: '/api/v1/tenants/00000000-0000-4000-8000-000000000000',
      token: actors.expired.accessToken,
    });
    expect(expired.statusCode).toBe(404);
    const strip = (r: LightMyRequestResponse): unknown => ({ ...r.json<Record<string, unknown>>(), requestId: null });
    expect(strip(expired)).toEqual(strip(nowhere));
  });

  it('a membership that expires in the future still works, with its role', async () => {
    const account = await signup(t.app, { email: uniqueEmail('engagement') });
    await addMember(t.db.adminUrl, tenantId, account.userId, 'auditor', new Date(Date.now() + 3_600_000));
    const res = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, token: account.accessToken });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ role: Role }>().role).toBe('auditor');
    const patch = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${tenantId}/members/${actors.viewer.userId}`,
      payload: { role: 'admin' },
      token: account.accessToken,
    });
    expect(patch.statusCode).toBe(403);
    expect((await membershipOf(actors.viewer.userId))?.role).toBe('viewer');
  });

  it('a forged or garbage bearer token is 401 UNAUTHENTICATED, like no token', async () => {
    for (const token of ['garbage', `${actors.admin.accessToken.slice(0, -4)}AAAA`, actors.admin.refreshToken]) {
      const res = await call({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, token });
      expect({ token, status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({
        token,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    }
  });

  it('a member cannot promote itself to admin', async () => {
    const res = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${tenantId}/members/${actors.member.userId}`,
      payload: { role: 'admin' },
      token: actors.member.accessToken,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ code: string }>().code).toBe('FORBIDDEN');
    expect((await membershipOf(actors.member.userId))?.role).toBe('member');
  });
});
