import { Client } from 'pg';
import { UnsubscribeTokens } from '../../libs/reminders';
import { jwtSecret } from '../../libs/tenancy';
import { addMember, type Account } from '../harness/api';
import { query } from '../harness/database';
import { accounts, bootWorld, notifications, reminderTenant, setTask, sweep, type ReminderTenant, type World } from './setup';

let w: World;
let tokens: UnsubscribeTokens;
let admin: Account;
let member: Account;
let auditor: Account;
let viewer: Account;
let outsider: Account;
let tenant: ReminderTenant;
let other: ReminderTenant;

beforeAll(async () => {
  w = await bootWorld();
  tokens = new UnsubscribeTokens(jwtSecret(w.t.config));
  [admin, member, auditor, viewer, outsider] = (await accounts(w, 5, 'api')) as [Account, Account, Account, Account, Account];
  tenant = await reminderTenant(w, admin, {
    members: [
      [member, 'member'],
      [auditor, 'auditor'],
      [viewer, 'viewer'],
    ],
  });
  // The outsider's own tenant, with notifications of its own.
  other = await reminderTenant(w, outsider);
  for (const r of [tenant, other]) {
    await setTask(w, r.tasks['PX-15']!, { dueDate: '2026-04-10' });
    await setTask(w, r.tasks['PX-17']!, { dueDate: '2026-04-01' });
  }
  await sweep(w, '2026-04-03T12:00:00Z');
  await sweep(w, '2026-04-08T12:00:00Z');
});
afterAll(async () => w.close());

const prefs = '/api/v1/me/notification-preferences';
const unsubscribe = (token: string): string => `/api/v1/notifications/unsubscribe?token=${encodeURIComponent(token)}`;
const getPrefs = async (a: Account): Promise<Record<string, unknown>> =>
  (await w.call({ method: 'GET', url: prefs, token: a.accessToken })).json();

describe('GET/PUT /me/notification-preferences', () => {
  it('everything on by default, no time zone', async () => {
    const [fresh] = await accounts(w, 1, 'fresh');
    const res = await w.call({ method: 'GET', url: prefs, token: fresh!.accessToken });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      dueSoon: true,
      overdue: true,
      digest: true,
      escalation: true,
      reviewRejected: true,
      timezone: null,
      updatedAt: null,
    });
  });

  it('PUT changes the fields given and keeps the others; only for the caller', async () => {
    const [a, b] = await accounts(w, 2, 'iso');
    const res = await w.call({ method: 'PUT', url: prefs, token: a!.accessToken, payload: { overdue: false, timezone: 'Europe/Paris' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      dueSoon: true,
      overdue: false,
      digest: true,
      escalation: true,
      reviewRejected: true,
      timezone: 'Europe/Paris',
      updatedAt: expect.any(String),
    });
    const again = await w.call({ method: 'PUT', url: prefs, token: a!.accessToken, payload: { digest: false, timezone: null } });
    expect(again.json()).toMatchObject({ overdue: false, digest: false, timezone: null });
    // b is untouched: preferences are per user.
    expect(await getPrefs(b!)).toMatchObject({ overdue: true, digest: true, updatedAt: null });
    // And what b's scope can read of the table is b's row only.
    expect(await query(w.t.db.appUrl, 'SELECT * FROM notification_preference')).toEqual([]);
  });

  it.each([
    [{}, 'NOTHING_TO_CHANGE'],
    [{ dueSoon: 'yes' }, 'VALIDATION_FAILED'],
    [{ dueSoon: null }, 'VALIDATION_FAILED'],
    [{ overdue: 1 }, 'VALIDATION_FAILED'],
    [{ timezone: 'Mars/Olympus_Mons' }, 'VALIDATION_FAILED'],
    [{ timezone: 'x'.repeat(65) }, 'VALIDATION_FAILED'],
    [{ timezone: 42 }, 'VALIDATION_FAILED'],
    [{ unknown: true }, 'VALIDATION_FAILED'],
  ])('PUT %j: 400 %s, nothing written', async (payload, code) => {
    const res = await w.call({ method: 'PUT', url: prefs, token: viewer.accessToken, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code });
    expect(await getPrefs(viewer)).toMatchObject({ updatedAt: null });
  });

  it('needs a token', async () => {
    expect((await w.call({ method: 'GET', url: prefs })).statusCode).toBe(401);
    expect((await w.call({ method: 'PUT', url: prefs, payload: { digest: false } })).statusCode).toBe(401);
  });
});

describe('POST /notifications/unsubscribe', () => {
  it('turns off exactly that kind for the token’s user; a replay answers the same', async () => {
    const [u] = await accounts(w, 1, 'unsub');
    const token = tokens.sign(u!.userId, 'overdue');
    const first = await w.call({ method: 'POST', url: unsubscribe(token) });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ kind: 'overdue', enabled: false });
    const replay = await w.call({ method: 'POST', url: unsubscribe(token) });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ kind: 'overdue', enabled: false });
    expect(await getPrefs(u!)).toMatchObject({ dueSoon: true, overdue: false, digest: true, escalation: true, reviewRejected: true });
  });

  it('takes the RFC 8058 form body (and multipart); other routes still refuse form bodies', async () => {
    const [u] = await accounts(w, 1, 'oneclick');
    const form = await w.call({
      method: 'POST',
      url: unsubscribe(tokens.sign(u!.userId, 'digest')),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(form.statusCode).toBe(200);
    const boundary = 'dutybookboundary';
    const multipart = await w.call({
      method: 'POST',
      url: unsubscribe(tokens.sign(u!.userId, 'escalation')),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
    });
    expect(multipart.statusCode).toBe(200);
    expect(await getPrefs(u!)).toMatchObject({ digest: false, escalation: false, overdue: true });
    const elsewhere = await w.call({
      method: 'POST',
      url: '/api/v1/tenants',
      token: u!.accessToken,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    });
    expect(elsewhere.statusCode).toBe(415);
  });

  it('forged tokens: 400 INVALID_UNSUBSCRIBE_TOKEN, nothing changed', async () => {
    const [u, v] = await accounts(w, 2, 'forged');
    const good = tokens.sign(u!.userId, 'due_soon');
    const [id, kind, mac] = good.split('.') as [string, string, string];
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1) ?? ''}`;
    const otherKey = new UnsubscribeTokens('another secret that is at least 32 chars').sign(u!.userId, 'due_soon');
    for (const forged of [
      `${id}.${kind}.${flipped}`,
      // Someone else's id with u's signature.
      `${v!.userId}.${kind}.${mac}`,
      // Another kind with the due_soon signature.
      `${id}.digest.${mac}`,
      otherKey,
      `${id}.nonsense.${mac}`,
      'garbage',
      `${good}x`,
    ]) {
      const res = await w.call({ method: 'POST', url: unsubscribe(forged) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_UNSUBSCRIBE_TOKEN' });
    }
    expect((await w.call({ method: 'POST', url: '/api/v1/notifications/unsubscribe' })).statusCode).toBe(400);
    expect((await w.call({ method: 'POST', url: '/api/v1/notifications/unsubscribe?token=a&token=b' })).statusCode).toBe(400);
    expect(await getPrefs(u!)).toMatchObject({ updatedAt: null });
    expect(await getPrefs(v!)).toMatchObject({ updatedAt: null });
  });

  it('another user’s token changes that user only, whoever is logged in', async () => {
    const [a, b] = await accounts(w, 2, 'others');
    const res = await w.call({ method: 'POST', url: unsubscribe(tokens.sign(b!.userId, 'due_soon')), token: a!.accessToken });
    expect(res.statusCode).toBe(200);
    expect(await getPrefs(b!)).toMatchObject({ dueSoon: false });
    expect(await getPrefs(a!)).toMatchObject({ dueSoon: true, updatedAt: null });
  });

  it('GET shows a confirmation page and changes nothing (link scanners open links)', async () => {
    const [u] = await accounts(w, 1, 'page');
    const token = tokens.sign(u!.userId, 'review_rejected');
    const res = await w.call({ method: 'GET', url: unsubscribe(token) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Turn off notices of rejected reviews');
    expect(res.body).toContain(`action="?token=${encodeURIComponent(token)}"`);
    expect(await getPrefs(u!)).toMatchObject({ reviewRejected: true, updatedAt: null });
    expect((await w.call({ method: 'GET', url: unsubscribe('forged') })).statusCode).toBe(400);
  });
});

describe('GET /tenants/:tenantId/notifications', () => {
  const url = (tenantId: string, q = ''): string => `/api/v1/tenants/${tenantId}/notifications${q}`;

  it.each([
    ['admin', 200],
    ['member', 403],
    ['auditor', 403],
    ['viewer', 403],
    ['outsider', 404],
  ] as const)('%s: %i', async (who, status) => {
    const account = { admin, member, auditor, viewer, outsider }[who];
    const res = await w.call({ method: 'GET', url: url(tenant.tenantId), token: account.accessToken });
    expect(res.statusCode).toBe(status);
    if (status === 403) expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
    if (status === 404) expect(res.json()).toMatchObject({ code: 'TENANT_NOT_FOUND' });
  });

  it('no token: 401', async () => {
    expect((await w.call({ method: 'GET', url: url(tenant.tenantId) })).statusCode).toBe(401);
  });

  it('lists the tenant’s notifications only, newest first, paged without gaps', async () => {
    const rows = await notifications(w, tenant.tenantId);
    expect(rows.length).toBe(3);
    const seen: { id: string; createdAt: string; recipientEmail: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await w.call({
        method: 'GET',
        url: url(tenant.tenantId, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`),
        token: admin.accessToken,
      });
      expect(res.statusCode).toBe(200);
      const page = res.json<{ items: { id: string; createdAt: string; recipientEmail: string }[]; nextCursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((s) => s.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(seen.map((s) => s.createdAt)).toEqual([...seen.map((s) => s.createdAt)].sort().reverse());
    expect(new Set(seen.map((s) => s.recipientEmail))).toEqual(new Set([admin.email]));
  });

  it('filters by status and kind', async () => {
    const res = await w.call({ method: 'GET', url: url(tenant.tenantId, '?status=queued&kind=overdue'), token: admin.accessToken });
    const items = res.json<{ items: { kind: string; status: string }[] }>().items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.kind === 'overdue' && i.status === 'queued')).toBe(true);
    expect((await w.call({ method: 'GET', url: url(tenant.tenantId, '?status=sent'), token: admin.accessToken })).json()).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it.each(['?status=lost', '?kind=spam', '?limit=0', '?limit=201', '?limit=abc', '?cursor=nope', '?extra=1'])('%s: 400', async (q) => {
    const res = await w.call({ method: 'GET', url: url(tenant.tenantId, q), token: admin.accessToken });
    expect(res.statusCode).toBe(400);
  });

  it('another tenant’s admin cannot read them, with its own tenant id or this one', async () => {
    expect((await w.call({ method: 'GET', url: url(tenant.tenantId), token: outsider.accessToken })).statusCode).toBe(404);
    const own = (await w.call({ method: 'GET', url: url(other.tenantId), token: outsider.accessToken }))
      .json<{ items: { id: string }[] }>()
      .items.map((i) => i.id);
    const theirs = (await notifications(w, tenant.tenantId)).map((r) => r.id);
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((id) => theirs.includes(id))).toEqual([]);
  });
});

describe('/tenants/:tenantId/reminder-settings', () => {
  const url = (tenantId: string): string => `/api/v1/tenants/${tenantId}/reminder-settings`;
  const DEFAULTS = { reminderDays: [7, 1], escalationDays: 7, timeZone: 'UTC' };
  /** An admin's PATCH of the tenant's zone. */
  const setZone = (tenantId: string, timeZone: string): ReturnType<typeof w.call> =>
    w.call({ method: 'PATCH', url: url(tenantId), token: admin.accessToken, payload: { timeZone } });
  /** The zones of the tenant's subscriptions, read behind the api's back. */
  const subscriptionZones = async (tenantId: string): Promise<string[]> =>
    (
      await query<{ timezone: string }>(w.t.db.adminUrl, 'SELECT timezone FROM subscription WHERE tenant_id = $1 ORDER BY created_at', [
        tenantId,
      ])
    ).map((r) => r.timezone);
  const newTenant = async (name: string): Promise<string> => {
    const res = await w.call({ method: 'POST', url: '/api/v1/tenants', token: admin.accessToken, payload: { name } });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const subscribe = (tenantId: string, extra: Record<string, unknown> = {}) =>
    w.call({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/subscriptions`,
      token: admin.accessToken,
      payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-01-01', ...extra },
    });

  it('every member reads them; admins change them (distinct, largest first), recorded in the audit trail', async () => {
    for (const a of [admin, member, auditor, viewer]) {
      const res = await w.call({ method: 'GET', url: url(tenant.tenantId), token: a.accessToken });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(DEFAULTS);
    }
    const res = await w.call({
      method: 'PATCH',
      url: url(tenant.tenantId),
      token: admin.accessToken,
      payload: { reminderDays: [1, 14, 3] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ reminderDays: [14, 3, 1], escalationDays: 7, timeZone: 'UTC' });
    const esc = await w.call({ method: 'PATCH', url: url(tenant.tenantId), token: admin.accessToken, payload: { escalationDays: 10 } });
    expect(esc.json()).toEqual({ reminderDays: [14, 3, 1], escalationDays: 10, timeZone: 'UTC' });
    const off = await w.call({ method: 'PATCH', url: url(tenant.tenantId), token: admin.accessToken, payload: { reminderDays: [] } });
    expect(off.json()).toEqual({ reminderDays: [], escalationDays: 10, timeZone: 'UTC' });
    const audit = await w.call({ method: 'GET', url: `/api/v1/tenants/${tenant.tenantId}/audit-events?limit=3`, token: admin.accessToken });
    const events = audit.json<{ items: { action: string; actorId: string; data: Record<string, unknown> }[] }>().items;
    expect(events[0]).toMatchObject({
      action: 'tenant.reminder_settings_changed',
      actorId: admin.userId,
      data: { from: { reminderDays: [14, 3, 1], escalationDays: 10 }, to: { reminderDays: [], escalationDays: 10 } },
    });
    // No time zone given: the subscriptions were not touched.
    expect(events[0]?.data).not.toHaveProperty('subscriptionsRealigned');
    await w.call({
      method: 'PATCH',
      url: url(tenant.tenantId),
      token: admin.accessToken,
      payload: { reminderDays: [7, 1], escalationDays: 7 },
    });
  });

  it('the time zone: set by an admin, every subscription of the tenant follows it (only that tenant’s), audited', async () => {
    // A subscription given its own zone at creation; the tenant's zone is still the default.
    const zoned = await newTenant('Zone Org Tokyo');
    await addMember(w.t.db.adminUrl, zoned, member.userId, 'member');
    const created = await subscribe(zoned, { timezone: 'Asia/Tokyo' });
    expect(created.statusCode).toBe(201);
    const z = { tenantId: zoned, subscriptionId: created.json<{ id: string }>().id };
    expect((await w.call({ method: 'GET', url: url(z.tenantId), token: member.accessToken })).json()).toEqual(DEFAULTS);
    expect(await subscriptionZones(z.tenantId)).toEqual(['Asia/Tokyo']);
    const before = { tenant: await subscriptionZones(tenant.tenantId), other: await subscriptionZones(other.tenantId) };

    const res = await setZone(z.tenantId, 'America/New_York');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...DEFAULTS, timeZone: 'America/New_York' });
    expect((await w.call({ method: 'GET', url: url(z.tenantId), token: member.accessToken })).json()).toEqual({
      ...DEFAULTS,
      timeZone: 'America/New_York',
    });
    const sub = await w.call({
      method: 'GET',
      url: `/api/v1/tenants/${z.tenantId}/subscriptions/${z.subscriptionId}`,
      token: member.accessToken,
    });
    expect(sub.json()).toMatchObject({ timezone: 'America/New_York' });
    // Other tenants keep theirs.
    expect({ tenant: await subscriptionZones(tenant.tenantId), other: await subscriptionZones(other.tenantId) }).toEqual(before);

    const audit = await w.call({ method: 'GET', url: `/api/v1/tenants/${z.tenantId}/audit-events?limit=1`, token: admin.accessToken });
    expect(audit.json<{ items: unknown[] }>().items[0]).toMatchObject({
      action: 'tenant.reminder_settings_changed',
      actorId: admin.userId,
      data: { from: { timeZone: 'UTC' }, to: { timeZone: 'America/New_York' }, subscriptionsRealigned: 1 },
    });
    // Giving the same zone again changes nothing and realigns nothing.
    const same = await setZone(z.tenantId, 'America/New_York');
    expect(same.statusCode).toBe(200);
    const again = await w.call({ method: 'GET', url: `/api/v1/tenants/${z.tenantId}/audit-events?limit=1`, token: admin.accessToken });
    expect(again.json<{ items: unknown[] }>().items[0]).toMatchObject({ data: { subscriptionsRealigned: 0 } });
  });

  it('a new subscription without a time zone takes the tenant’s; one given explicitly is kept until the tenant’s changes', async () => {
    const auckland = await newTenant('Zone Org Auckland');
    const set = await setZone(auckland, 'Pacific/Auckland');
    expect(set.json()).toEqual({ ...DEFAULTS, timeZone: 'Pacific/Auckland' });
    const created = await subscribe(auckland);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ timezone: 'Pacific/Auckland' });

    const explicit = await newTenant('Zone Org Explicit');
    await setZone(explicit, 'Europe/Paris');
    expect((await subscribe(explicit, { timezone: 'Asia/Kolkata' })).json()).toMatchObject({ timezone: 'Asia/Kolkata' });
    await setZone(explicit, 'Europe/Berlin');
    expect(await subscriptionZones(explicit)).toEqual(['Europe/Berlin']);
  });

  it('a new subscription waits for a zone change in flight and takes the new zone (the tenant row is read FOR SHARE)', async () => {
    const race = await newTenant('Zone Org Race');
    // A change of the zone in flight: the tenant row locked as PATCH locks it, not committed yet.
    const change = new Client({ connectionString: w.t.db.adminUrl });
    await change.connect();
    try {
      await change.query('BEGIN');
      await change.query('SELECT id FROM tenant WHERE id = $1 FOR UPDATE', [race]);
      let settled = false;
      const created = subscribe(race).finally(() => {
        settled = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await change.query(`UPDATE tenant SET time_zone = 'Australia/Adelaide' WHERE id = $1`, [race]);
      await change.query('COMMIT');
      const res = await created;
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ timezone: 'Australia/Adelaide' });
    } finally {
      await change.end();
    }
  });

  it.each([
    ['member', 403],
    ['auditor', 403],
    ['viewer', 403],
    ['outsider', 404],
    ['nobody', 401],
  ] as const)('PATCH as %s: %i, nothing changed', async (who, status) => {
    const account = { member, auditor, viewer, outsider, nobody: undefined }[who];
    for (const payload of [{ escalationDays: 2 }, { timeZone: 'Europe/Paris' }]) {
      const res = await w.call({ method: 'PATCH', url: url(tenant.tenantId), payload, ...(account ? { token: account.accessToken } : {}) });
      expect(res.statusCode).toBe(status);
      if (status === 403) expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
      if (status === 404) expect(res.json()).toMatchObject({ code: 'TENANT_NOT_FOUND' });
    }
    expect((await w.call({ method: 'GET', url: url(tenant.tenantId), token: admin.accessToken })).json()).toEqual(DEFAULTS);
    expect(await subscriptionZones(tenant.tenantId)).toEqual(['UTC']);
  });

  it('GET as an outsider: 404; without a token: 401', async () => {
    expect((await w.call({ method: 'GET', url: url(tenant.tenantId), token: outsider.accessToken })).json()).toMatchObject({
      statusCode: 404,
      code: 'TENANT_NOT_FOUND',
    });
    expect((await w.call({ method: 'GET', url: url(tenant.tenantId) })).statusCode).toBe(401);
  });

  it.each([
    [{}, 'NOTHING_TO_CHANGE'],
    [{ reminderDays: [61] }, 'VALIDATION_FAILED'],
    [{ reminderDays: [-1] }, 'VALIDATION_FAILED'],
    [{ reminderDays: [7, 7] }, 'VALIDATION_FAILED'],
    [{ reminderDays: [1, 2, 3, 4, 5, 6] }, 'VALIDATION_FAILED'],
    [{ reminderDays: [1.5] }, 'VALIDATION_FAILED'],
    [{ reminderDays: ['7'] }, 'VALIDATION_FAILED'],
    [{ reminderDays: 7 }, 'VALIDATION_FAILED'],
    [{ reminderDays: null }, 'VALIDATION_FAILED'],
    [{ escalationDays: 0 }, 'VALIDATION_FAILED'],
    [{ escalationDays: 366 }, 'VALIDATION_FAILED'],
    [{ escalationDays: '7' }, 'VALIDATION_FAILED'],
    [{ escalationDays: 1e12 }, 'VALIDATION_FAILED'],
    [{ timeZone: 'Mars/Olympus_Mons' }, 'VALIDATION_FAILED'],
    [{ timeZone: 'Europe/Paris', escalationDays: 0 }, 'VALIDATION_FAILED'],
    [{ timeZone: `Europe/${'x'.repeat(60)}` }, 'VALIDATION_FAILED'],
    [{ timeZone: "UTC'; DROP TABLE tenant; --" }, 'VALIDATION_FAILED'],
    [{ timeZone: '' }, 'VALIDATION_FAILED'],
    [{ timeZone: null }, 'VALIDATION_FAILED'],
    [{ timeZone: 42 }, 'VALIDATION_FAILED'],
    [{ timeZone: ['Europe/Paris'] }, 'VALIDATION_FAILED'],
    [{ other: 1 }, 'VALIDATION_FAILED'],
  ])('PATCH %j: 400 %s, nothing changed', async (payload, code) => {
    const res = await w.call({ method: 'PATCH', url: url(tenant.tenantId), token: admin.accessToken, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code });
    expect((await w.call({ method: 'GET', url: url(tenant.tenantId), token: admin.accessToken })).json()).toEqual(DEFAULTS);
    expect(await subscriptionZones(tenant.tenantId)).toEqual(['UTC']);
  });

  it('an unknown zone names the field', async () => {
    const res = await w.call({
      method: 'PATCH',
      url: url(tenant.tenantId),
      token: admin.accessToken,
      payload: { timeZone: 'Mars/Olympus_Mons' },
    });
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'timeZone', problems: ['must be an IANA time zone name'] }],
    });
    expect(res.json<{ message: string }>().message).not.toContain('null');
  });

  it('another tenant’s admin: 404 on this tenant, and its own settings are its own', async () => {
    await addMember(w.t.db.adminUrl, other.tenantId, member.userId, 'viewer');
    const res = await w.call({ method: 'PATCH', url: url(other.tenantId), token: outsider.accessToken, payload: { escalationDays: 3 } });
    expect(res.statusCode).toBe(200);
    const zone = await w.call({
      method: 'PATCH',
      url: url(other.tenantId),
      token: outsider.accessToken,
      payload: { timeZone: 'Asia/Tokyo' },
    });
    expect(zone.statusCode).toBe(200);
    expect((await w.call({ method: 'GET', url: url(tenant.tenantId), token: member.accessToken })).json()).toEqual(DEFAULTS);
    expect((await w.call({ method: 'GET', url: url(other.tenantId), token: member.accessToken })).json()).toEqual({
      reminderDays: [7, 1],
      escalationDays: 3,
      timeZone: 'Asia/Tokyo',
    });
    expect(await subscriptionZones(other.tenantId)).toEqual(['Asia/Tokyo']);
    expect(await subscriptionZones(tenant.tenantId)).toEqual(['UTC']);
  });
});
