import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, type Caller } from '../harness/api';
import { query } from '../harness/database';
import { taskTenant, type TaskTenant } from './setup';

// Catalog upgrades of a subscription (docs/tasks.md#catalog-upgrades): the Private Exchange
// correction, version 2024-06-26 (the first reading) -> 2024-06-25 (read from the published page).

let t: TestApp;
let call: Caller;
beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '10000/1h' });
  call = caller(t.app);
});
afterAll(async () => t.close());

const OLD = '2024-06-26';
const NEW = '2024-06-25';

interface Duty {
  activityKey: string;
  title: string;
  taskIds?: string[];
  taskId?: string;
  changes?: { title?: { before: string; after: string }; raci?: Record<string, { before: string; after: string }> };
}
interface Upgrade {
  fromVersion: string;
  toVersion: string;
  applied: boolean;
  added: Duty[];
  withdrawn: Duty[];
  changed: Duty[];
}

const upgradeUrl = (tt: TaskTenant, version: string, id = tt.subscriptionId): string =>
  `/api/v1/tenants/${tt.admin.tenantId}/subscriptions/${id}/upgrade?toVersion=${version}`;

const keys = (duties: Duty[]): string[] => duties.map((d) => d.activityKey).sort();

/** Everything an upgrade could touch, to compare before and after a call that must change nothing. */
async function snapshot(tenantId: string): Promise<unknown> {
  return {
    tasks: await query(
      t.db.adminUrl,
      'SELECT id, activity_id, status, due_date::text, catalog_change, updated_at FROM task WHERE tenant_id = $1 ORDER BY id',
      [tenantId],
    ),
    subscriptions: await query(t.db.adminUrl, 'SELECT id, catalog_version_id, updated_at FROM subscription WHERE tenant_id = $1', [
      tenantId,
    ]),
    audit: await query(t.db.adminUrl, 'SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1', [tenantId]),
  };
}

async function evidenceNote(tt: TaskTenant, taskId: string, text: string): Promise<void> {
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${taskId}/evidence`,
    token: tt.member.accessToken,
    payload: { kind: 'note', text },
  });
  expect(res.statusCode).toBe(201);
}

describe('catalog upgrade of the Private Exchange correction', () => {
  it('previews, applies in one go, keeps evidence, reviews and the audit chain, and a second call changes nothing', async () => {
    const tt = await taskTenant(t, { startsOn: '2026-01-01', version: OLD }, { firstPeriodsOnly: true });
    expect(Object.keys(tt.tasks)).toHaveLength(20);
    // Work done before the upgrade: evidence on a duty that leaves the customer (PX-03, done,
    // waiting for review), and a reviewed duty that stays (PX-11, approved).
    await evidenceNote(tt, tt.tasks['PX-03']!, 'Exchange 2019 chosen, see ticket 12');
    let res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${tt.tasks['PX-03']}/complete`,
      token: tt.member.accessToken,
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    await evidenceNote(tt, tt.tasks['PX-11']!, 'Quarterly mailbox review done');
    res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${tt.tasks['PX-11']}/complete`,
      token: tt.member.accessToken,
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${tt.tasks['PX-11']}/reviews`,
      token: tt.auditor.accessToken,
      payload: { decision: 'approve' },
    });
    expect(res.statusCode).toBe(201);
    const before = await snapshot(tt.admin.tenantId);

    // Preview: nothing is written.
    res = await call({ method: 'GET', url: upgradeUrl(tt, NEW), token: tt.admin.accessToken });
    expect(res.statusCode).toBe(200);
    const preview = res.json<Upgrade>();
    expect(preview).toMatchObject({ fromVersion: OLD, toVersion: NEW, applied: false });
    expect(keys(preview.withdrawn)).toEqual(['PX-03', 'PX-04', 'PX-30']);
    expect(keys(preview.added)).toEqual(['PX-26']);
    // Reworded titles of kept duties are listed with before and after.
    expect(preview.changed.length).toBeGreaterThan(0);
    for (const c of preview.changed) expect(c.changes?.title ?? c.changes?.raci).toBeDefined();
    expect(preview.changed.filter((c) => c.changes?.title).length).toBeGreaterThan(0);
    expect(preview.withdrawn.find((w) => w.activityKey === 'PX-03')?.taskIds).toEqual([tt.tasks['PX-03']]);
    expect(await snapshot(tt.admin.tenantId)).toEqual(before);

    // Apply.
    res = await call({ method: 'POST', url: upgradeUrl(tt, NEW), token: tt.admin.accessToken });
    expect(res.statusCode).toBe(200);
    const applied = res.json<Upgrade>();
    expect(applied).toMatchObject({ fromVersion: OLD, toVersion: NEW, applied: true });
    expect(keys(applied.withdrawn)).toEqual(keys(preview.withdrawn));
    expect(keys(applied.changed)).toEqual(keys(preview.changed));
    expect(applied.added[0]?.taskId).toEqual(expect.any(String));

    // 18 duties carried by the customer, each with its task; the three that left are withdrawn.
    const rows = await query<{ key: string; status: string; version: string }>(
      t.db.adminUrl,
      `SELECT a.key, t.status, v.version FROM task t JOIN activity a ON a.id = t.activity_id JOIN catalog_version v ON v.id = a.version_id
        WHERE t.tenant_id = $1 ORDER BY a.key`,
      [tt.admin.tenantId],
    );
    const kept = rows.filter((r) => r.status !== 'withdrawn');
    expect(new Set(kept.map((r) => r.key)).size).toBe(18);
    expect(kept.every((r) => r.version === NEW)).toBe(true);
    expect(rows.filter((r) => r.status === 'withdrawn').map((r) => r.key)).toEqual(['PX-03', 'PX-04', 'PX-30']);
    res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks?status=todo,in_progress,rejected&limit=200`,
      token: tt.viewer.accessToken,
    });
    const open = res.json<{ items: { activityKey: string }[] }>().items;
    expect(new Set(open.map((i) => i.activityKey)).size).toBe(17); // 18 duties, PX-11 approved
    expect(open.map((i) => i.activityKey)).toContain('PX-26');
    expect(open.map((i) => i.activityKey)).not.toContain('PX-03');
    res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks?overdue=true&limit=200`,
      token: tt.viewer.accessToken,
    });
    expect(res.json<{ items: { status: string }[] }>().items.every((i) => i.status !== 'withdrawn')).toBe(true);

    // The withdrawn task keeps its evidence and its history tells why.
    res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${tt.tasks['PX-03']}`,
      token: tt.auditor.accessToken,
    });
    const px03 = res.json<{ status: string; evidence: { text: string }[]; history: { action: string; data: { reason?: string } }[] }>();
    expect(px03.status).toBe('withdrawn');
    expect(px03.evidence.map((e) => e.text)).toEqual(['Exchange 2019 chosen, see ticket 12']);
    expect(px03.history.map((h) => h.action)).toContain('task.withdrawn');
    expect(px03.history.find((h) => h.action === 'task.withdrawn')?.data.reason).toBe('provider');
    // A withdrawn task takes no more evidence.
    res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${tt.tasks['PX-03']}/evidence`,
      token: tt.member.accessToken,
      payload: { kind: 'note', text: 'late' },
    });
    expect(res.statusCode).toBe(409);

    // The approved task keeps its review and evidence; a changed duty's task shows before/after.
    res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${tt.tasks['PX-11']}`,
      token: tt.auditor.accessToken,
    });
    const px11 = res.json<{ status: string; reviews: { decision: string }[]; evidenceCount: number }>();
    expect(px11).toMatchObject({ status: 'approved', evidenceCount: 1 });
    expect(px11.reviews.map((r) => r.decision)).toEqual(['approve']);
    const reworded = applied.changed.find((c) => c.changes?.title)!;
    res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks/${reworded.taskIds![0]}`,
      token: tt.viewer.accessToken,
    });
    const flagged = res.json<{
      title: string;
      catalogChange: { fromVersion: string; toVersion: string; changes: { title: { before: string; after: string } } };
      history: { action: string }[];
    }>();
    expect(flagged.title).toBe(reworded.changes!.title!.after);
    expect(flagged.catalogChange).toMatchObject({ fromVersion: OLD, toVersion: NEW, changes: { title: reworded.changes!.title } });
    expect(flagged.history.map((h) => h.action)).toContain('task.catalog_changed');

    // The subscription is on the new version; the audit chain is whole.
    res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions/${tt.subscriptionId}`,
      token: tt.viewer.accessToken,
    });
    expect(res.json()).toMatchObject({ catalogVersion: NEW });
    res = await call({ method: 'GET', url: `/api/v1/tenants/${tt.admin.tenantId}/audit-events/verify`, token: tt.auditor.accessToken });
    expect(res.json()).toMatchObject({ valid: true });
    const actions = await query<{ action: string }>(t.db.adminUrl, 'SELECT action FROM audit_event WHERE tenant_id = $1 ORDER BY seq', [
      tt.admin.tenantId,
    ]);
    expect(actions.filter((a) => a.action === 'subscription.upgraded')).toHaveLength(1);
    expect(actions.filter((a) => a.action === 'task.withdrawn')).toHaveLength(3);

    // Again: nothing changes, and the answer says so.
    const after = await snapshot(tt.admin.tenantId);
    res = await call({ method: 'POST', url: upgradeUrl(tt, NEW), token: tt.admin.accessToken });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ fromVersion: NEW, toVersion: NEW, applied: false, added: [], withdrawn: [], changed: [] });
    expect(await snapshot(tt.admin.tenantId)).toEqual(after);
  });

  it('two upgrades at once: one applies, the other finds nothing to do', async () => {
    const tt = await taskTenant(t, { startsOn: '2026-01-01', version: OLD }, { firstPeriodsOnly: true });
    const [a, b] = await Promise.all([
      call({ method: 'POST', url: upgradeUrl(tt, NEW), token: tt.admin.accessToken }),
      call({ method: 'POST', url: upgradeUrl(tt, NEW), token: tt.admin.accessToken }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect([a.json<Upgrade>().applied, b.json<Upgrade>().applied].sort()).toEqual([false, true]);
    const [n] = await query<{ n: number }>(
      t.db.adminUrl,
      "SELECT count(*)::int AS n FROM task WHERE tenant_id = $1 AND status <> 'withdrawn'",
      [tt.admin.tenantId],
    );
    expect(n?.n).toBe(18);
  });
});

describe('upgrade: roles, isolation, bad input', () => {
  let tt: TaskTenant;
  beforeAll(async () => {
    tt = await taskTenant(t, { startsOn: '2026-01-01', version: OLD }, { firstPeriodsOnly: true });
  });

  it.each(['member', 'auditor', 'viewer'] as const)('%s: 403 on preview and apply, nothing changed', async (role) => {
    const before = await snapshot(tt.admin.tenantId);
    for (const method of ['GET', 'POST'] as const) {
      const res = await call({ method, url: upgradeUrl(tt, NEW), token: tt[role].accessToken });
      expect(res.statusCode).toBe(403);
      expect(res.json<{ code: string }>().code).toBe('FORBIDDEN');
    }
    expect(await snapshot(tt.admin.tenantId)).toEqual(before);
  });

  it("another tenant's admin: 404 for the tenant; its own tenant with this subscription id: 404 SUBSCRIPTION_NOT_FOUND", async () => {
    const other = await signup(t.app);
    const before = await snapshot(tt.admin.tenantId);
    let res = await call({ method: 'POST', url: upgradeUrl(tt, NEW), token: other.accessToken });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ code: string }>().code).toBe('TENANT_NOT_FOUND');
    res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${other.tenantId}/subscriptions/${tt.subscriptionId}/upgrade?toVersion=${NEW}`,
      token: other.accessToken,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ code: string }>().code).toBe('SUBSCRIPTION_NOT_FOUND');
    expect(await snapshot(tt.admin.tenantId)).toEqual(before);
  });

  it('a downgrade: 409 UPGRADE_NOT_NEWER', async () => {
    const fresh = await taskTenant(t, { startsOn: '2026-01-01', version: NEW }, { firstPeriodsOnly: true });
    const before = await snapshot(fresh.admin.tenantId);
    for (const method of ['GET', 'POST'] as const) {
      const res = await call({ method, url: upgradeUrl(fresh, OLD), token: fresh.admin.accessToken });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'UPGRADE_NOT_NEWER', details: { current: NEW, wanted: OLD } });
    }
    expect(await snapshot(fresh.admin.tenantId)).toEqual(before);
  });

  it("a version of another catalog is not one of this catalog's versions: 404 UPGRADE_VERSION_NOT_FOUND", async () => {
    await otherCatalog();
    const res = await call({ method: 'POST', url: upgradeUrl(tt, '2030-01-01'), token: tt.admin.accessToken });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ code: string }>().code).toBe('UPGRADE_VERSION_NOT_FOUND');
  });

  it.each([
    ['an unknown version', `?toVersion=2099-01-01`, 404, 'UPGRADE_VERSION_NOT_FOUND'],
    ['no version', '', 400, 'VALIDATION_FAILED'],
    ['an empty version', '?toVersion=', 400, 'VALIDATION_FAILED'],
    ['a version with spaces', '?toVersion=2024%2006', 400, 'VALIDATION_FAILED'],
    ['a huge version', `?toVersion=${'9'.repeat(5000)}`, 400, 'VALIDATION_FAILED'],
    ['two versions', `?toVersion=${NEW}&toVersion=${OLD}`, 400, 'VALIDATION_FAILED'],
    ['an unknown parameter', `?toVersion=${NEW}&force=true`, 400, 'VALIDATION_FAILED'],
  ])('%s (%s): %i %s, nothing changed', async (_name, qs, status, code) => {
    const before = await snapshot(tt.admin.tenantId);
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions/${tt.subscriptionId}/upgrade${qs}`,
      token: tt.admin.accessToken,
    });
    expect(res.statusCode).toBe(status);
    expect(res.json<{ code: string }>().code).toBe(code);
    expect(await snapshot(tt.admin.tenantId)).toEqual(before);
  });

  it('a subscription id that is not a UUID, or unknown: 404 SUBSCRIPTION_NOT_FOUND', async () => {
    for (const id of ['nope', '00000000-0000-4000-8000-000000000000']) {
      const res = await call({ method: 'GET', url: upgradeUrl(tt, NEW, id), token: tt.admin.accessToken });
      expect(res.statusCode).toBe(404);
      expect(res.json<{ code: string }>().code).toBe('SUBSCRIPTION_NOT_FOUND');
    }
  });
});

/** A second global catalog from another provider, with one customer duty (loaded as the owner would). */
async function otherCatalog(): Promise<void> {
  const [existing] = await query<{ id: string }>(t.db.adminUrl, "SELECT id FROM catalog WHERE key = 'acme-object-storage'");
  if (existing) return;
  const [catalog] = await query<{ id: string }>(
    t.db.adminUrl,
    "INSERT INTO catalog (key, name, provider) VALUES ('acme-object-storage', 'Acme Object Storage', 'Acme Cloud') RETURNING id",
  );
  const [version] = await query<{ id: string }>(
    t.db.adminUrl,
    // seq 1: the catalog's first loaded version (docs/catalog-format.md, load order).
    `INSERT INTO catalog_version (catalog_id, version, seq, published_on, source_title, content_hash, parties)
     VALUES ($1, '2030-01-01', 1, '2030-01-01', 'Acme responsibility model', repeat('a', 64), '{customer,provider}') RETURNING id`,
    [catalog!.id],
  );
  const [section] = await query<{ id: string }>(
    t.db.adminUrl,
    "INSERT INTO catalog_section (version_id, key, title, phase, position) VALUES ($1, '3.1', 'Operations', 'operations', 0) RETURNING id",
    [version!.id],
  );
  await query(
    t.db.adminUrl,
    `INSERT INTO activity (version_id, section_id, key, position, title, phase, raci, raw, certain, source, cadence, optional)
     VALUES ($1, $2, 'AOS-01', 0, 'Rotate access keys', 'operations', '{"customer":"RA","provider":"I"}', 'RAI', true, 'table', 'P3M', false)`,
    [version!.id, section!.id],
  );
}

describe('several providers per tenant: the task list filters by catalog and provider', () => {
  let tt: TaskTenant;
  beforeAll(async () => {
    await otherCatalog();
    tt = await taskTenant(t, { startsOn: '2026-01-01', version: OLD }, { firstPeriodsOnly: true });
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions`,
      token: tt.admin.accessToken,
      payload: { catalogKey: 'acme-object-storage', startsOn: '2026-11-01' },
    });
    expect(res.statusCode).toBe(201);
  });

  const list = async (qs: string): Promise<{ status: number; keys: string[]; code?: string }> => {
    const res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tt.admin.tenantId}/tasks?limit=200&${qs}`,
      token: tt.viewer.accessToken,
    });
    const body = res.json<{ items?: { activityKey: string }[]; code?: string }>();
    return {
      status: res.statusCode,
      keys: [...new Set((body.items ?? []).map((i) => i.activityKey))],
      ...(body.code ? { code: body.code } : {}),
    };
  };

  it('two subscriptions, one per catalog; a second one to the same catalog is still refused', async () => {
    const subs = await call({ method: 'GET', url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions`, token: tt.viewer.accessToken });
    expect(
      subs
        .json<{ items: { catalogKey: string }[] }>()
        .items.map((s) => s.catalogKey)
        .sort(),
    ).toEqual(['acme-object-storage', 'ovhcloud-private-exchange']);
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${tt.admin.tenantId}/subscriptions`,
      token: tt.admin.accessToken,
      payload: { catalogKey: 'acme-object-storage', startsOn: '2026-11-01' },
    });
    expect(res.json<{ code: string }>().code).toBe('SUBSCRIPTION_EXISTS');
  });

  it('catalogKey and provider select the tasks of those catalogs', async () => {
    expect((await list('')).keys).toHaveLength(21);
    expect(await list('catalogKey=acme-object-storage')).toMatchObject({ status: 200, keys: ['AOS-01'] });
    expect((await list('catalogKey=ovhcloud-private-exchange')).keys).toHaveLength(20);
    expect((await list('provider=OVHcloud')).keys).toHaveLength(20);
    expect(await list('provider=acme%20cloud')).toMatchObject({ status: 200, keys: ['AOS-01'] });
    expect(await list('provider=Acme%20Cloud&catalogKey=ovhcloud-private-exchange')).toMatchObject({ status: 200, keys: [] });
    expect(await list('catalogKey=no-such-catalog')).toMatchObject({ status: 200, keys: [] });
  });

  it.each([['catalogKey=Not%20A%20Key'], [`catalogKey=${'a'.repeat(100)}`], [`provider=${'a'.repeat(101)}`], ['provider=']])(
    '%s: 400 VALIDATION_FAILED',
    async (qs) => {
      expect(await list(qs)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    },
  );
});
