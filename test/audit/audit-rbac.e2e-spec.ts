/**
 * Who may read and verify a tenant's audit trail (admins and auditors), and tenant isolation:
 * another tenant's admin gets the same 404 as for a tenant that does not exist, and never an event.
 */
import { Client } from 'pg';
import type { Role } from '../../libs/core';
import { addMember, caller, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { bootTestApp, type TestApp } from '../harness/app';
import { query } from '../harness/database';

type Who = 'admin' | 'member' | 'auditor' | 'viewer' | 'nonMember' | 'expired' | 'noToken';
const WHO: readonly Who[] = ['admin', 'member', 'auditor', 'viewer', 'nonMember', 'expired', 'noToken'];
type Status = 200 | 401 | 403 | 404;
type Row = { readonly endpoint: string; readonly path: string } & Readonly<Record<Who, Status>>;

/** `expired` is an admin whose membership ended a minute ago: no membership at all. */
const MATRIX = [
  // endpoint                                                  admin        member        auditor        viewer        nonMember        expired        noToken
  {
    endpoint: 'GET /tenants/:tenantId/audit-events',
    path: 'audit-events',
    admin: 200,
    member: 403,
    auditor: 200,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'GET /tenants/:tenantId/audit-events?limit&cursor',
    path: 'audit-events?limit=1',
    admin: 200,
    member: 403,
    auditor: 200,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'GET /tenants/:tenantId/audit-events/verify',
    path: 'audit-events/verify',
    admin: 200,
    member: 403,
    auditor: 200,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'GET /tenants/:tenantId/audit-events/verify?expectedHead',
    path: 'audit-events/verify?expectedHead=HEAD',
    admin: 200,
    member: 403,
    auditor: 200,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
] as const satisfies readonly Row[];

const CODE_OF: Readonly<Record<number, string>> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'TENANT_NOT_FOUND' };

let t: TestApp;
let call: Caller;
let actors: Record<Exclude<Who, 'noToken'>, Account>;
/** Tenant A (the matrix's) and B (another tenant with its own admin). */
let adminB: Account;
let headA: string;
let headB: string;

const A = (): string => actors.admin.tenantId;
const tokenOf = (who: Who): string | undefined => (who === 'noToken' ? undefined : actors[who].accessToken);

interface Page {
  items: {
    seq: number;
    action: string;
    actorId: string | null;
    entity: { type: string; id: string };
    data: Record<string, unknown>;
    hash: string;
  }[];
  nextCursor: string | null;
}

beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '1000/1h' });
  call = caller(t.app);
  const admin = await signup(t.app, { organization: 'Alpha Audit Org', email: uniqueEmail('admin-a') });
  const [member, auditor, viewer, nonMember, expired, b] = await Promise.all(
    ['member', 'auditor', 'viewer', 'outsider', 'expired', 'admin-b'].map((prefix) =>
      signup(t.app, { email: uniqueEmail(prefix), organization: `${prefix} own org` }),
    ),
  );
  actors = { admin, member: member!, auditor: auditor!, viewer: viewer!, nonMember: nonMember!, expired: expired! };
  adminB = b!;
  const roles: [Account, Role][] = [
    [actors.member, 'member'],
    [actors.auditor, 'auditor'],
    [actors.viewer, 'viewer'],
  ];
  for (const [account, role] of roles) await addMember(t.db.adminUrl, A(), account.userId, role);
  await addMember(t.db.adminUrl, A(), actors.expired.userId, 'admin', new Date(Date.now() - 60_000));
  // Events of A's own making, so A's trail holds more than its sign-up.
  const patched = await call({
    method: 'PATCH',
    url: `/api/v1/tenants/${A()}/members/${actors.member.userId}`,
    token: admin.accessToken,
    payload: { role: 'member' },
  });
  expect(patched.statusCode).toBe(200);
  const invited = await call({
    method: 'POST',
    url: `/api/v1/tenants/${adminB.tenantId}/invitations`,
    token: adminB.accessToken,
    payload: { email: uniqueEmail('b-invitee'), role: 'viewer' },
  });
  expect(invited.statusCode).toBe(201);
  headA = (await call({ method: 'GET', url: `/api/v1/tenants/${A()}/audit-events/verify`, token: admin.accessToken })).json<{
    headHash: string;
  }>().headHash;
  headB = (await call({ method: 'GET', url: `/api/v1/tenants/${adminB.tenantId}/audit-events/verify`, token: adminB.accessToken })).json<{
    headHash: string;
  }>().headHash;
});
afterAll(async () => t.close());

const countOf = async (tenantId: string): Promise<number> =>
  Number((await query<{ n: string }>(t.db.adminUrl, 'SELECT count(*) AS n FROM audit_event WHERE tenant_id = $1', [tenantId]))[0]?.n);

describe.each(MATRIX)('$endpoint', (row) => {
  for (const who of WHO) {
    const status = row[who];
    const code = CODE_OF[status];
    it(`${who} -> ${status}${code ? ` ${code}` : ''}`, async () => {
      const before = await countOf(A());
      const res = await call({
        method: 'GET',
        url: `/api/v1/tenants/${A()}/${row.path.replace('HEAD', headA)}`,
        ...(tokenOf(who) ? { token: tokenOf(who) } : {}),
      });
      expect(res.statusCode).toBe(status);
      if (code === undefined) {
        const body = res.json<Record<string, unknown>>();
        if (row.path.startsWith('audit-events/verify')) {
          expect(body).toMatchObject({ valid: true, count: before, headHash: headA });
        } else {
          const page = body as unknown as Page;
          expect(page.items.length).toBeGreaterThan(0);
          expect(page.items[0]?.seq).toBe(before);
        }
      } else {
        expect(res.json()).toEqual({
          statusCode: status,
          code,
          message: expect.any(String),
          requestId: res.headers['x-request-id'],
          ...(status === 403 ? { details: { role: who, allowed: ['admin', 'auditor'] } } : {}),
        });
        expect(res.body).not.toContain(headA);
      }
      // Reading records nothing.
      expect(await countOf(A())).toBe(before);
    });
  }
});

describe("tenant isolation: B's admin and A's trail", () => {
  const NO_SUCH_TENANT = '00000000-0000-4000-8000-000000000000';
  const paths = (): string[] => [
    'audit-events',
    'audit-events?limit=1',
    'audit-events/verify',
    `audit-events/verify?expectedHead=${headA}`,
    `audit-events?cursor=${Buffer.from('["2"]').toString('base64url')}`,
  ];

  it("every audit endpoint on A's tenant id: 404 TENANT_NOT_FOUND, the same as a tenant that does not exist", async () => {
    for (const path of paths()) {
      const res = await call({ method: 'GET', url: `/api/v1/tenants/${A()}/${path}`, token: adminB.accessToken });
      const nowhere = await call({ method: 'GET', url: `/api/v1/tenants/${NO_SUCH_TENANT}/${path}`, token: adminB.accessToken });
      expect(res.json()).toEqual({
        statusCode: 404,
        code: 'TENANT_NOT_FOUND',
        message: expect.any(String),
        requestId: res.headers['x-request-id'],
      });
      expect({ ...res.json<Record<string, unknown>>(), requestId: null }).toEqual({
        ...nowhere.json<Record<string, unknown>>(),
        requestId: null,
      });
      expect(res.body).not.toContain(headA);
    }
  });

  it.each(['not-a-uuid', `${NO_SUCH_TENANT}x`, NO_SUCH_TENANT.replaceAll('-', '')])(
    'a malformed tenant id (%s): 404, never 400 or 500',
    async (id) => {
      for (const path of ['audit-events', 'audit-events/verify']) {
        const res = await call({ method: 'GET', url: `/api/v1/tenants/${id}/${path}`, token: adminB.accessToken });
        expect({ status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({ status: 404, code: 'TENANT_NOT_FOUND' });
      }
    },
  );

  it("A's events never appear in B's list or B's verification, and the reverse", async () => {
    const listB = await call({
      method: 'GET',
      url: `/api/v1/tenants/${adminB.tenantId}/audit-events?limit=200`,
      token: adminB.accessToken,
    });
    const pageB = listB.json<Page>();
    expect(pageB.items.map((e) => [e.seq, e.action])).toEqual([
      [3, 'member.invited'],
      [2, 'tenant.created'],
      [1, 'user.signed_up'],
    ]);
    for (const secret of [A(), actors.admin.userId, actors.admin.email, actors.member.userId, 'Alpha Audit Org', headA])
      expect(listB.body).not.toContain(secret);
    const listA = await call({ method: 'GET', url: `/api/v1/tenants/${A()}/audit-events?limit=200`, token: actors.admin.accessToken });
    for (const secret of [adminB.tenantId, adminB.userId, adminB.email, headB]) expect(listA.body).not.toContain(secret);
    expect(
      (await call({ method: 'GET', url: `/api/v1/tenants/${adminB.tenantId}/audit-events/verify`, token: adminB.accessToken })).json(),
    ).toEqual({
      valid: true,
      count: 3,
      headSeq: 3,
      headHash: headB,
    });
    // A's head is not in B's chain: B cannot vouch for A's history.
    const crossed = await call({
      method: 'GET',
      url: `/api/v1/tenants/${adminB.tenantId}/audit-events/verify?expectedHead=${headA}`,
      token: adminB.accessToken,
    });
    expect(crossed.json()).toMatchObject({ valid: false, expectedHeadFound: false });
  });

  it('an auditor of both tenants sees each trail only under its own tenant id', async () => {
    const auditor = await signup(t.app, { email: uniqueEmail('shared-auditor') });
    await addMember(t.db.adminUrl, A(), auditor.userId, 'auditor');
    await addMember(t.db.adminUrl, adminB.tenantId, auditor.userId, 'auditor');
    const inA = await call({ method: 'GET', url: `/api/v1/tenants/${A()}/audit-events?limit=200`, token: auditor.accessToken });
    const inB = await call({ method: 'GET', url: `/api/v1/tenants/${adminB.tenantId}/audit-events?limit=200`, token: auditor.accessToken });
    const hashesA = new Set(inA.json<Page>().items.map((e) => e.hash));
    const hashesB = new Set(inB.json<Page>().items.map((e) => e.hash));
    expect(hashesA.has(headA)).toBe(true);
    expect(hashesB.has(headB)).toBe(true);
    expect([...hashesA].filter((h) => hashesB.has(h))).toEqual([]);
  });

  it("row-level security underneath: the app role scoped to B reads none of A, and cannot claim A's head", async () => {
    const client = new Client({ connectionString: t.db.appUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.tenant_id', $1, true)", [adminB.tenantId]);
      expect((await client.query('SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1', [A()])).rows).toEqual([{ n: 0 }]);
      expect((await client.query('SELECT count(*)::int AS n FROM audit_head WHERE tenant_id = $1', [A()])).rows).toEqual([{ n: 0 }]);
      expect((await client.query('SELECT seq FROM audit_claim_head($1)', [A()])).rows).toEqual([{ seq: null }]);
      await client.query('ROLLBACK');
      // With no scope at all, nothing is visible.
      expect((await client.query('SELECT count(*)::int AS n FROM audit_event')).rows).toEqual([{ n: 0 }]);
    } finally {
      await client.end();
    }
  });
});
