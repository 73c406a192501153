import { bootTestApp, type TestApp } from '../harness/app';
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';

let t: TestApp;
let call: Caller;
beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '1000/1h' });
  call = caller(t.app);
});
afterAll(async () => t.close());

async function tenantWith(...roles: ('admin' | 'member' | 'auditor' | 'viewer')[]): Promise<{ owner: Account; others: Account[] }> {
  const owner = await signup(t.app);
  const others: Account[] = [];
  for (const role of roles) {
    const a = await signup(t.app);
    await addMember(t.db.adminUrl, owner.tenantId, a.userId, role);
    others.push(a);
  }
  return { owner, others };
}

describe('tenants', () => {
  it('POST /tenants makes the caller admin of a new tenant; GET lists it; GET one gives my role', async () => {
    const a = await signup(t.app, { organization: 'First' });
    const created = await call({ method: 'POST', url: '/api/v1/tenants', token: a.accessToken, payload: { name: 'Second' } });
    expect(created.statusCode).toBe(201);
    const tenant = created.json<{ id: string }>();
    expect(tenant).toMatchObject({ name: 'Second', role: 'admin' });
    const list = await call({ method: 'GET', url: '/api/v1/tenants', token: a.accessToken });
    expect(list.json<{ items: { tenantName: string }[] }>().items.map((i) => i.tenantName)).toEqual(['First', 'Second']);
    const one = await call({ method: 'GET', url: `/api/v1/tenants/${tenant.id}`, token: a.accessToken });
    expect(one.json()).toMatchObject({ id: tenant.id, name: 'Second', role: 'admin' });
  });

  it('an expired membership is no membership: absent from /me and /tenants, 404 on the tenant', async () => {
    const { owner } = await tenantWith();
    const guest = await signup(t.app);
    await addMember(t.db.adminUrl, owner.tenantId, guest.userId, 'auditor', new Date(Date.now() - 1000));
    const me = await call({ method: 'GET', url: '/api/v1/me', token: guest.accessToken });
    expect(me.json<{ memberships: { tenantId: string }[] }>().memberships.map((m) => m.tenantId)).toEqual([guest.tenantId]);
    const res = await call({ method: 'GET', url: `/api/v1/tenants/${owner.tenantId}`, token: guest.accessToken });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ code: string }>().code).toBe('TENANT_NOT_FOUND');
  });
});

describe('members', () => {
  it('lists members with email, name, role, paged by cursor', async () => {
    const { owner, others } = await tenantWith('member', 'auditor', 'viewer');
    const first = await call({ method: 'GET', url: `/api/v1/tenants/${owner.tenantId}/members?limit=2`, token: others[2]!.accessToken });
    expect(first.statusCode).toBe(200);
    const page1 = first.json<{ items: { userId: string; role: string }[]; nextCursor: string | null }>();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).not.toBeNull();
    const second = await call({
      method: 'GET',
      url: `/api/v1/tenants/${owner.tenantId}/members?limit=2&cursor=${page1.nextCursor ?? ''}`,
      token: owner.accessToken,
    });
    const page2 = second.json<{ items: { userId: string; role: string }[]; nextCursor: string | null }>();
    expect(page2.nextCursor).toBeNull();
    const all = [...page1.items, ...page2.items];
    expect(new Set(all.map((m) => m.userId))).toEqual(new Set([owner.userId, ...others.map((o) => o.userId)]));
    expect(all.find((m) => m.userId === others[1]!.userId)).toMatchObject({ role: 'auditor', expiresAt: null, email: others[1]!.email });
  });

  it('an admin changes a role and an expiry; null clears the expiry', async () => {
    const { owner, others } = await tenantWith('member');
    const url = `/api/v1/tenants/${owner.tenantId}/members/${others[0]!.userId}`;
    const res = await call({
      method: 'PATCH',
      url,
      token: owner.accessToken,
      payload: { role: 'auditor', expiresAt: '2099-06-01T00:00:00Z' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ role: 'auditor', expiresAt: '2099-06-01T00:00:00.000Z' });
    const cleared = await call({ method: 'PATCH', url, token: owner.accessToken, payload: { expiresAt: null } });
    expect(cleared.json()).toMatchObject({ role: 'auditor', expiresAt: null });
  });

  it('the last admin cannot be demoted, given an expiry, or removed: 409 LAST_ADMIN', async () => {
    const { owner } = await tenantWith('member');
    const url = `/api/v1/tenants/${owner.tenantId}/members/${owner.userId}`;
    for (const req of [
      { method: 'PATCH' as const, payload: { role: 'member' } },
      { method: 'PATCH' as const, payload: { expiresAt: '2099-01-01T00:00:00Z' } },
      { method: 'DELETE' as const },
    ]) {
      const res = await call({ ...req, url, token: owner.accessToken });
      expect(res.statusCode).toBe(409);
      expect(res.json<{ code: string }>().code).toBe('LAST_ADMIN');
    }
    expect(
      await query(
        t.db.adminUrl,
        "SELECT 1 FROM membership WHERE tenant_id = $1 AND user_id = $2 AND role = 'admin' AND expires_at IS NULL",
        [owner.tenantId, owner.userId],
      ),
    ).toHaveLength(1);
  });

  it('two admins demoting each other at once: one wins, an admin always remains', async () => {
    const { owner, others } = await tenantWith('admin');
    const other = others[0]!;
    const results = await Promise.all([
      call({
        method: 'PATCH',
        url: `/api/v1/tenants/${owner.tenantId}/members/${other.userId}`,
        token: owner.accessToken,
        payload: { role: 'member' },
      }),
      call({
        method: 'PATCH',
        url: `/api/v1/tenants/${owner.tenantId}/members/${owner.userId}`,
        token: other.accessToken,
        payload: { role: 'member' },
      }),
    ]);
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const admins = await query(t.db.adminUrl, "SELECT user_id FROM membership WHERE tenant_id = $1 AND role = 'admin'", [owner.tenantId]);
    expect(admins).toHaveLength(1);
  });

  it('with a second admin, the first may step down and leave', async () => {
    const { owner, others } = await tenantWith('admin');
    const res = await call({
      method: 'DELETE',
      url: `/api/v1/tenants/${owner.tenantId}/members/${owner.userId}`,
      token: owner.accessToken,
    });
    expect(res.statusCode).toBe(204);
    expect((await call({ method: 'GET', url: `/api/v1/tenants/${owner.tenantId}`, token: owner.accessToken })).statusCode).toBe(404);
    expect((await call({ method: 'GET', url: `/api/v1/tenants/${owner.tenantId}`, token: others[0]!.accessToken })).statusCode).toBe(200);
  });

  it('a removed member loses access at once (tokens still valid, membership gone)', async () => {
    const { owner, others } = await tenantWith('member');
    expect(
      (await call({ method: 'DELETE', url: `/api/v1/tenants/${owner.tenantId}/members/${others[0]!.userId}`, token: owner.accessToken }))
        .statusCode,
    ).toBe(204);
    expect(
      (await call({ method: 'GET', url: `/api/v1/tenants/${owner.tenantId}/members`, token: others[0]!.accessToken })).statusCode,
    ).toBe(404);
  });
});
