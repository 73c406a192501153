/**
 * The audit trail through the real api: what gets recorded, paging, verification, and tampering
 * behind the app's back (as the database superuser) being found.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditSink } from '../../libs/audit';
import { canonicalJson, encodeCursor } from '../../libs/core';
import { inScope, TenantDb } from '../../libs/db';
import { InvitationsService } from '../../libs/tenancy';
import { addMember, caller, PASSWORD, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { bootTestApp, type TestApp } from '../harness/app';
import { query, quietLogger } from '../harness/database';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import type { AuditEventView } from '../../libs/audit';

type AuditEvent = AuditEventView;
interface Verification {
  valid: boolean;
  count: number;
  headSeq: number;
  headHash: string;
  firstBrokenSeq?: number;
  reason?: string;
  expectedHeadFound?: boolean;
}

const GENESIS = '0'.repeat(64);

let sink: SmtpSink;
let t: TestApp;
let call: Caller;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await bootTestApp(
    {
      SMTP_URL: sink.url,
      PUBLIC_URL: 'https://duty.example.test',
      RATE_LIMIT_SIGNUP: '1000/1h',
      RATE_LIMIT_INVITATION_ACCEPT: '1000/1h',
    },
    // The worker's jobs send the invitation mails (after commit).
    undefined,
    { withWorker: true },
  );
  call = caller(t.app);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

/** The documented formula, written again here so the test does not trust the code under test. */
function expectedHash(tenantId: string, e: Omit<AuditEvent, 'hash'>): string {
  const record = {
    tenantId,
    seq: e.seq,
    at: e.at,
    actorId: e.actorId,
    action: e.action,
    entity: e.entity,
    data: e.data,
    requestId: e.requestId,
  };
  return createHash('sha256')
    .update(e.prevHash + canonicalJson(record))
    .digest('hex');
}

/** Every event of the tenant, newest first, through the api. */
async function eventsOf(account: Account, tenantId = account.tenantId): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${tenantId}/audit-events?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      token: account.accessToken,
    });
    expect(res.statusCode).toBe(200);
    const page = res.json<{ items: AuditEvent[]; nextCursor: string | null }>();
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

async function verify(account: Account, expectedHead?: string, tenantId = account.tenantId): Promise<Verification> {
  const res = await call({
    method: 'GET',
    url: `/api/v1/tenants/${tenantId}/audit-events/verify${expectedHead ? `?expectedHead=${expectedHead}` : ''}`,
    token: account.accessToken,
  });
  expect(res.statusCode).toBe(200);
  return res.json<Verification>();
}

/** Runs statements as `url` in one transaction, optionally scoped to a tenant as inScope does. */
async function inTransaction(url: string, tenantId: string | null, statements: [string, unknown[]?][]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    if (tenantId) await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    for (const [sql, params] of statements) await client.query(sql, params ?? []);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    await client.end();
  }
}

/** Tampering as the superuser: the guard triggers are off only inside this transaction. */
async function tamper(...statements: [string, unknown[]?][]): Promise<void> {
  await inTransaction(t.db.adminUrl, null, [
    ['ALTER TABLE audit_event DISABLE TRIGGER USER'],
    ['ALTER TABLE audit_head DISABLE TRIGGER USER'],
    ...statements,
    ['ALTER TABLE audit_event ENABLE TRIGGER USER'],
    ['ALTER TABLE audit_head ENABLE TRIGGER USER'],
  ]);
}

interface Row {
  seq: string;
  at: Date;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  data: Record<string, unknown>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}
const rowsOf = (tenantId: string): Promise<Row[]> =>
  query<Row>(t.db.adminUrl, 'SELECT * FROM audit_event WHERE tenant_id = $1 ORDER BY seq', [tenantId]);
const headOf = async (tenantId: string): Promise<{ seq: string; hash: string } | undefined> =>
  (await query<{ seq: string; hash: string }>(t.db.adminUrl, 'SELECT seq, hash FROM audit_head WHERE tenant_id = $1', [tenantId]))[0];

/** What a forger who knows the formula writes: a row whose own hash checks. */
function forged(tenantId: string, seq: number, prevHash: string, data: Record<string, unknown>): unknown[] {
  const at = new Date().toISOString();
  const e = {
    seq,
    at,
    actorId: null,
    action: 'member.role_changed',
    entity: { type: 'membership', id: 'forged' },
    data,
    requestId: null,
    prevHash,
  };
  return [tenantId, seq, at, null, e.action, e.entity.type, e.entity.id, JSON.stringify(data), null, prevHash, expectedHash(tenantId, e)];
}
const INSERT_ROW = `INSERT INTO audit_event (tenant_id, seq, at, actor_id, action, entity_type, entity_id, data, request_id, prev_hash, hash)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

/** A tenant with six events: sign-up (2) and four role changes of one member. */
async function tenantWithSixEvents(): Promise<{ admin: Account; memberId: string }> {
  const admin = await signup(t.app, { email: uniqueEmail('tamper') });
  const member = await signup(t.app, { email: uniqueEmail('tamper-member') });
  await addMember(t.db.adminUrl, admin.tenantId, member.userId, 'member');
  for (const role of ['viewer', 'auditor', 'member', 'viewer']) {
    const res = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${admin.tenantId}/members/${member.userId}`,
      token: admin.accessToken,
      payload: { role },
    });
    expect(res.statusCode).toBe(200);
  }
  expect(await verify(admin)).toMatchObject({ valid: true, count: 6, headSeq: 6 });
  return { admin, memberId: member.userId };
}

async function inviteAndToken(admin: Account, email: string, role: string): Promise<{ requestId: string; token: string }> {
  const before = sink.messages.length;
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/invitations`,
    token: admin.accessToken,
    payload: { email, role },
  });
  expect(res.statusCode).toBe(201);
  const mail = (await sink.waitFor(before + 1)).find((m) => m.envelopeTo.includes(email));
  const link = /invitations\/accept\?token=([^\s"<]+)/.exec(mail?.parsed.text ?? '');
  return { requestId: String(res.headers['x-request-id']), token: decodeURIComponent(link?.[1] ?? '') };
}

describe('what is recorded', () => {
  it('sign-up, invitation, acceptance, role change and removal: one event each, consecutive seqs, a valid chain', async () => {
    const signupRes = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email: uniqueEmail('recorded'), password: PASSWORD, name: 'Ada', organization: 'Recorded Org' },
    });
    expect(signupRes.statusCode).toBe(201);
    const signed = signupRes.json<{ accessToken: string; user: { id: string; email: string }; tenant: { id: string } }>();
    const admin: Account = {
      userId: signed.user.id,
      email: signed.user.email,
      password: PASSWORD,
      accessToken: signed.accessToken,
      refreshToken: '',
      tenantId: signed.tenant.id,
    };
    const signupRequest = String(signupRes.headers['x-request-id']);

    const inviteeEmail = uniqueEmail('invitee');
    const invited = await inviteAndToken(admin, inviteeEmail, 'member');
    const accept = await call({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: invited.token, name: 'Invitee', password: PASSWORD },
    });
    expect(accept.statusCode).toBe(200);
    const invitee = accept.json<{ user: { id: string } }>().user.id;
    const patch = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${admin.tenantId}/members/${invitee}`,
      token: admin.accessToken,
      payload: { role: 'auditor' },
    });
    expect(patch.statusCode).toBe(200);
    const remove = await call({ method: 'DELETE', url: `/api/v1/tenants/${admin.tenantId}/members/${invitee}`, token: admin.accessToken });
    expect(remove.statusCode).toBe(204);
    // A failed login belongs to no tenant: logged, not in any trail.
    const failed = await call({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: admin.email, password: 'wrong-password-entirely' },
    });
    expect(failed.statusCode).toBe(401);

    const events = await eventsOf(admin);
    expect(events.map((e) => [e.seq, e.action, e.actorId, e.entity, e.requestId])).toEqual([
      [6, 'member.removed', admin.userId, { type: 'membership', id: invitee }, String(remove.headers['x-request-id'])],
      [5, 'member.role_changed', admin.userId, { type: 'membership', id: invitee }, String(patch.headers['x-request-id'])],
      [4, 'member.joined', invitee, { type: 'membership', id: invitee }, String(accept.headers['x-request-id'])],
      [3, 'member.invited', admin.userId, { type: 'invitation', id: expect.any(String) }, invited.requestId],
      [2, 'tenant.created', admin.userId, { type: 'tenant', id: admin.tenantId }, signupRequest],
      [1, 'user.signed_up', admin.userId, { type: 'user', id: admin.userId }, signupRequest],
    ]);
    expect(events.find((e) => e.seq === 1)?.data).toEqual({ email: admin.email });
    expect(events.find((e) => e.seq === 3)?.data).toEqual({ email: inviteeEmail, role: 'member', membershipExpiresAt: null });
    expect(events.find((e) => e.seq === 4)?.data).toEqual({
      invitationId: events.find((e) => e.seq === 3)?.entity.id,
      role: 'member',
      accountCreated: true,
    });
    expect(events.find((e) => e.seq === 5)?.data).toEqual({
      from: { role: 'member', expiresAt: null },
      to: { role: 'auditor', expiresAt: null },
    });
    expect(events.find((e) => e.seq === 6)?.data).toEqual({ role: 'auditor', self: false });

    // The chain, recomputed from what the api shows, with the formula of docs/audit.md.
    const ascending = [...events].reverse();
    let prev = GENESIS;
    let lastAt = '';
    for (const e of ascending) {
      expect(e.prevHash).toBe(prev);
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(e.hash).toBe(expectedHash(admin.tenantId, e));
      expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(e.at >= lastAt).toBe(true);
      prev = e.hash;
      lastAt = e.at;
    }
    expect(await verify(admin)).toEqual({ valid: true, count: 6, headSeq: 6, headHash: events[0]!.hash });
  });

  it('POST /tenants starts a new chain in the new tenant', async () => {
    const admin = await signup(t.app);
    const res = await call({ method: 'POST', url: '/api/v1/tenants', token: admin.accessToken, payload: { name: 'Second Org' } });
    const tenantId = res.json<{ id: string }>().id;
    const events = await eventsOf(admin, tenantId);
    expect(events.map((e) => [e.seq, e.action, e.prevHash, e.data])).toEqual([[1, 'tenant.created', GENESIS, { name: 'Second Org' }]]);
    expect(await verify(admin, undefined, tenantId)).toEqual({ valid: true, count: 1, headSeq: 1, headHash: events[0]!.hash });
  });

  it('the event shares the transaction of its change: a rolled-back invitation leaves no event and no gap', async () => {
    const admin = await signup(t.app);
    // Mail goes after commit now, so a refusal no longer rolls an invitation back: fail the unit
    // of work the invitation joined instead, after its event was appended.
    const ctx = { tenantId: admin.tenantId, userId: admin.userId, role: 'admin' as const, requestId: 'audit-rollback', ip: '127.0.0.1' };
    await expect(
      t.app.get(TenantDb).run(ctx, async () => {
        await t.app.get(InvitationsService).invite(ctx, { email: uniqueEmail('rolled-back'), role: 'member' });
        throw new Error('a later step of the same unit of work failed');
      }),
    ).rejects.toThrow('a later step');
    expect((await eventsOf(admin)).map((e) => e.action)).toEqual(['tenant.created', 'user.signed_up']);
    await inviteAndToken(admin, uniqueEmail('fine'), 'viewer');
    expect((await eventsOf(admin)).map((e) => [e.seq, e.action])[0]).toEqual([3, 'member.invited']);
    expect(await verify(admin)).toMatchObject({ valid: true, count: 3 });
  });

  it('the sink refuses an event for another tenant than the transaction is scoped to, and keeps tenantless events out', async () => {
    const [a, b] = await Promise.all([signup(t.app), signup(t.app)]);
    const ds = t.app.get(DataSource);
    const auditSink = new AuditSink(quietLogger());
    const event = { action: 'test.crossed', tenantId: b.tenantId, actorId: null, entity: { type: 'test', id: 'x' }, data: {} };
    await expect(inScope(ds, { tenantId: a.tenantId, userId: null }, (em) => auditSink.publish(em, event))).rejects.toThrow(/scoped to/);
    await expect(inScope(ds, { tenantId: null, userId: null }, (em) => auditSink.publish(em, event))).rejects.toThrow(
      /scoped to no tenant/,
    );
    await auditSink.publish(null, event);
    await inScope(ds, { tenantId: a.tenantId, userId: null }, (em) => auditSink.publish(em, { ...event, tenantId: null }));
    expect((await rowsOf(b.tenantId)).map((r) => r.action)).toEqual(['user.signed_up', 'tenant.created']);
    expect((await rowsOf(a.tenantId)).map((r) => r.action)).toEqual(['user.signed_up', 'tenant.created']);
    // An upper-case tenant id (as a URL may carry it) chains under the canonical form.
    await inScope(ds, { tenantId: a.tenantId.toUpperCase(), userId: null }, (em) =>
      auditSink.publish(em, { ...event, tenantId: a.tenantId.toUpperCase(), data: { when: new Date(0), gone: undefined } }),
    );
    expect((await rowsOf(a.tenantId)).map((r) => [r.action, r.data])).toEqual([
      ['user.signed_up', { email: a.email }],
      ['tenant.created', { name: 'Test Org' }],
      ['test.crossed', { when: '1970-01-01T00:00:00.000Z' }],
    ]);
    expect(await verify(a)).toMatchObject({ valid: true, count: 3 });
  });
});

describe('listing', () => {
  let admin: Account;
  let all: AuditEvent[];
  beforeAll(async () => {
    ({ admin } = await tenantWithSixEvents());
    all = await eventsOf(admin);
  });

  it('pages newest first with a cursor, nothing missed or repeated', async () => {
    const seen: number[][] = [];
    let cursor: string | null = null;
    do {
      const res = await call({
        method: 'GET',
        url: `/api/v1/tenants/${admin.tenantId}/audit-events?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        token: admin.accessToken,
      });
      const page = res.json<{ items: AuditEvent[]; nextCursor: string | null }>();
      seen.push(page.items.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([
      [6, 5, 4, 3],
      [2, 1],
    ]);
    const exact = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/audit-events?limit=6`, token: admin.accessToken });
    expect(exact.json<{ items: AuditEvent[]; nextCursor: string | null }>()).toEqual({ items: all, nextCursor: null });
    const byDefault = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/audit-events`, token: admin.accessToken });
    expect(byDefault.json<{ items: AuditEvent[] }>().items).toEqual(all);
  });

  it.each(['0', '201', '-1', '1.5', 'abc', '', '1e21', '9007199254740993'])('limit=%s: 400 VALIDATION_FAILED', async (limit) => {
    const res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/audit-events?limit=${limit}`,
      token: admin.accessToken,
    });
    expect({ status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it.each([
    ['not base64 json', 'nope'],
    ['a number, not the string given out', encodeCursor([3])],
    ['seq 0', encodeCursor(['0'])],
    ['not digits', encodeCursor(['3 OR 1=1'])],
    ['beyond bigint', encodeCursor(['99999999999999999999'])],
    ['two keys', encodeCursor(['3', '4'])],
  ])('a cursor that is %s: 400 INVALID_CURSOR', async (_label, cursor) => {
    const res = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/audit-events?cursor=${encodeURIComponent(cursor)}`,
      token: admin.accessToken,
    });
    expect({ status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({ status: 400, code: 'INVALID_CURSOR' });
  });

  it.each([
    ['an unknown parameter', 'audit-events?order=asc'],
    ['expectedHead too short', 'audit-events/verify?expectedHead=abc'],
    ['expectedHead not hex', `audit-events/verify?expectedHead=${'g'.repeat(64)}`],
    ['expectedHead too long', `audit-events/verify?expectedHead=${'a'.repeat(65)}`],
    ['expectedHead twice', `audit-events/verify?expectedHead=${'a'.repeat(64)}&expectedHead=${'b'.repeat(64)}`],
    ['verify with an unknown parameter', 'audit-events/verify?full=true'],
  ])('%s: 400 VALIDATION_FAILED', async (_label, path) => {
    const res = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/${path}`, token: admin.accessToken });
    expect({ status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('verify?expectedHead: found for the head, an older hash and genesis; not found for an unknown hash', async () => {
    const head = all[0]!.hash;
    expect(await verify(admin, head)).toEqual({ valid: true, count: 6, headSeq: 6, headHash: head, expectedHeadFound: true });
    expect(await verify(admin, head.toUpperCase())).toMatchObject({ valid: true, expectedHeadFound: true });
    expect(await verify(admin, all[3]!.hash)).toMatchObject({ valid: true, expectedHeadFound: true });
    expect(await verify(admin, GENESIS)).toMatchObject({ valid: true, expectedHeadFound: true });
    expect(await verify(admin, randomBytes(32).toString('hex'))).toEqual({
      valid: false,
      count: 6,
      headSeq: 6,
      headHash: head,
      expectedHeadFound: false,
      reason: 'expected_head_not_found',
    });
  });
});

describe('tampering behind the app, as the database superuser, is found', () => {
  it.each([
    ['data', "UPDATE audit_event SET data = jsonb_set(data, '{to,role}', '\"admin\"') WHERE tenant_id = $1 AND seq = 4"],
    ['action', "UPDATE audit_event SET action = 'member.joined' WHERE tenant_id = $1 AND seq = 4"],
    ['actor', 'UPDATE audit_event SET actor_id = NULL WHERE tenant_id = $1 AND seq = 4'],
    ['entity', "UPDATE audit_event SET entity_id = 'someone-else' WHERE tenant_id = $1 AND seq = 4"],
    ['request id', "UPDATE audit_event SET request_id = 'req-other' WHERE tenant_id = $1 AND seq = 4"],
    ['time, by one millisecond', "UPDATE audit_event SET at = at - interval '1 millisecond' WHERE tenant_id = $1 AND seq = 4"],
    ['time, by one microsecond', "UPDATE audit_event SET at = at + interval '1 microsecond' WHERE tenant_id = $1 AND seq = 4"],
    ['hash (set to the hash it had before another row)', 'UPDATE audit_event SET hash = prev_hash WHERE tenant_id = $1 AND seq = 4'],
  ])('a changed %s: invalid, firstBrokenSeq = that seq', async (_label, sql) => {
    const { admin } = await tenantWithSixEvents();
    const bystander = await signup(t.app);
    await tamper([sql, [admin.tenantId]]);
    expect(await verify(admin)).toEqual({
      valid: false,
      count: 6,
      headSeq: 6,
      headHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      firstBrokenSeq: 4,
      reason: 'hash_mismatch',
    });
    // Chains are per tenant: another tenant's still checks.
    expect(await verify(bystander)).toMatchObject({ valid: true });
  });

  it('a deleted middle row: invalid at its seq (missing_row)', async () => {
    const { admin } = await tenantWithSixEvents();
    await tamper(['DELETE FROM audit_event WHERE tenant_id = $1 AND seq = 3', [admin.tenantId]]);
    expect(await verify(admin)).toMatchObject({ valid: false, count: 5, firstBrokenSeq: 3, reason: 'missing_row' });
  });

  it('a middle row replaced by a forged one (same seq, hash recomputed): invalid where the next row no longer links', async () => {
    const { admin } = await tenantWithSixEvents();
    const rows = await rowsOf(admin.tenantId);
    await tamper(
      ['DELETE FROM audit_event WHERE tenant_id = $1 AND seq = 3', [admin.tenantId]],
      [INSERT_ROW, forged(admin.tenantId, 3, rows[1]!.hash, { from: { role: 'member' }, to: { role: 'admin' } })],
    );
    expect(await verify(admin)).toMatchObject({ valid: false, count: 6, firstBrokenSeq: 4, reason: 'prev_hash_mismatch' });
  });

  it('a row inserted between two others (the following rows renumbered and re-linked, head left): found', async () => {
    const { admin } = await tenantWithSixEvents();
    const rows = await rowsOf(admin.tenantId);
    // Make room at seq 4 by moving 4..6 up one, keeping their stored hashes and links.
    await tamper(
      ['UPDATE audit_event SET seq = seq + 100 WHERE tenant_id = $1 AND seq >= 4', [admin.tenantId]],
      ['UPDATE audit_event SET seq = seq - 99 WHERE tenant_id = $1 AND seq >= 104', [admin.tenantId]],
      [INSERT_ROW, forged(admin.tenantId, 4, rows[2]!.hash, { planted: true })],
    );
    // Row 4 checks (the forger chained it onto 3), row 5 (the old 4) was hashed with seq 4.
    expect(await verify(admin)).toMatchObject({ valid: false, count: 7, firstBrokenSeq: 5, reason: 'prev_hash_mismatch' });
  });

  it('a forged row appended at the end, well chained, without moving audit_head: head_mismatch at its seq', async () => {
    const { admin } = await tenantWithSixEvents();
    const rows = await rowsOf(admin.tenantId);
    await tamper([INSERT_ROW, forged(admin.tenantId, 7, rows[5]!.hash, { planted: true })]);
    expect(await verify(admin)).toMatchObject({ valid: false, count: 7, headSeq: 7, firstBrokenSeq: 7, reason: 'head_mismatch' });
  });

  it('audit_head changed alone: head_mismatch', async () => {
    const { admin } = await tenantWithSixEvents();
    await tamper(["UPDATE audit_head SET hash = repeat('a', 64) WHERE tenant_id = $1", [admin.tenantId]]);
    expect(await verify(admin)).toMatchObject({ valid: false, firstBrokenSeq: 6, reason: 'head_mismatch' });
    await tamper([
      'UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_event WHERE tenant_id = $1 AND seq = 4) WHERE tenant_id = $1',
      [admin.tenantId],
    ]);
    expect(await verify(admin)).toMatchObject({ valid: false, firstBrokenSeq: 5, reason: 'head_mismatch' });
  });

  it('the tail cut off and audit_head moved back to match: verify alone says valid, verify?expectedHead=<old head> does not', async () => {
    const { admin } = await tenantWithSixEvents();
    const before = await verify(admin);
    const rows = await rowsOf(admin.tenantId);
    await tamper(
      ['DELETE FROM audit_event WHERE tenant_id = $1 AND seq > 4', [admin.tenantId]],
      ['UPDATE audit_head SET seq = 4, hash = $2 WHERE tenant_id = $1', [admin.tenantId, rows[3]!.hash]],
    );
    expect(await verify(admin)).toEqual({ valid: true, count: 4, headSeq: 4, headHash: rows[3]!.hash });
    expect(await verify(admin, before.headHash)).toEqual({
      valid: false,
      count: 4,
      headSeq: 4,
      headHash: rows[3]!.hash,
      expectedHeadFound: false,
      reason: 'expected_head_not_found',
    });
    // New events after the cut chain on fine, and still do not bring the old head back.
    const res = await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/invitations`,
      token: admin.accessToken,
      payload: { email: uniqueEmail('after-cut'), role: 'viewer' },
    });
    expect(res.statusCode).toBe(201);
    expect(await verify(admin)).toMatchObject({ valid: true, count: 5, headSeq: 5 });
    expect(await verify(admin, before.headHash)).toMatchObject({ valid: false, expectedHeadFound: false });
  });

  it('the whole chain rewritten consistently (triggers off, every hash recomputed): only the kept head finds it', async () => {
    const { admin } = await tenantWithSixEvents();
    const kept = (await verify(admin)).headHash;
    const rows = await rowsOf(admin.tenantId);
    const statements: [string, unknown[]][] = [['DELETE FROM audit_event WHERE tenant_id = $1', [admin.tenantId]]];
    let prev = GENESIS;
    for (const r of rows) {
      const data = Number(r.seq) === 3 ? { from: { role: 'member' }, to: { role: 'admin' } } : r.data;
      const e = {
        seq: Number(r.seq),
        at: r.at.toISOString(),
        actorId: r.actor_id,
        action: r.action,
        entity: { type: r.entity_type, id: r.entity_id },
        data,
        requestId: r.request_id,
        prevHash: prev,
      };
      const hash = expectedHash(admin.tenantId, e);
      statements.push([
        INSERT_ROW,
        [admin.tenantId, e.seq, e.at, e.actorId, e.action, e.entity.type, e.entity.id, JSON.stringify(data), e.requestId, prev, hash],
      ]);
      prev = hash;
    }
    statements.push(['UPDATE audit_head SET hash = $2 WHERE tenant_id = $1', [admin.tenantId, prev]]);
    await tamper(...statements);
    expect(await verify(admin)).toMatchObject({ valid: true, count: 6, headHash: prev });
    expect(await verify(admin, kept)).toMatchObject({ valid: false, expectedHeadFound: false, reason: 'expected_head_not_found' });
  });
});

describe('append-only, whatever the role', () => {
  let admin: Account;
  let snapshot: Row[];
  beforeAll(async () => {
    ({ admin } = await tenantWithSixEvents());
    snapshot = await rowsOf(admin.tenantId);
  });

  const WRITES: [string, string][] = [
    ['UPDATE audit_event', "UPDATE audit_event SET data = '{}' WHERE seq = 3"],
    ['DELETE FROM audit_event', 'DELETE FROM audit_event WHERE seq = 3'],
    ['TRUNCATE audit_event', 'TRUNCATE audit_event'],
    ['UPDATE audit_head', 'UPDATE audit_head SET seq = 0'],
    ['DELETE FROM audit_head', 'DELETE FROM audit_head'],
    ['TRUNCATE audit_head', 'TRUNCATE audit_head'],
  ];

  it.each(WRITES)('the app role: %s is permission denied', async (_label, sql) => {
    await expect(inTransaction(t.db.appUrl, admin.tenantId, [[sql]])).rejects.toThrow(/permission denied/);
  });

  it.each(WRITES)('the owner role (with every privilege): %s is stopped by the trigger', async (label, sql) => {
    const message = label.includes('audit_event') ? /audit_event is append-only/ : /audit_head moves only when an audit_event is appended/;
    await expect(inTransaction(t.db.ownerUrl, admin.tenantId, [[sql]])).rejects.toThrow(message);
  });

  it('the app role cannot switch the triggers off', async () => {
    await expect(
      inTransaction(t.db.appUrl, admin.tenantId, [['ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only']]),
    ).rejects.toThrow(/must be owner/);
  });

  it('the app role cannot insert out of the chain, nor into another tenant', async () => {
    const rows = await rowsOf(admin.tenantId);
    const other = await signup(t.app);
    await expect(inTransaction(t.db.appUrl, admin.tenantId, [[INSERT_ROW, forged(admin.tenantId, 9, rows[5]!.hash, {})]])).rejects.toThrow(
      /does not extend the chain/,
    );
    await expect(inTransaction(t.db.appUrl, admin.tenantId, [[INSERT_ROW, forged(admin.tenantId, 7, GENESIS, {})]])).rejects.toThrow(
      /does not extend the chain/,
    );
    await expect(inTransaction(t.db.appUrl, admin.tenantId, [[INSERT_ROW, forged(other.tenantId, 3, GENESIS, {})]])).rejects.toThrow(
      /no claimed head|row-level security/,
    );
  });

  it('and the trail is as it was', async () => {
    expect(await rowsOf(admin.tenantId)).toEqual(snapshot);
    expect(await verify(admin)).toMatchObject({ valid: true, count: 6 });
    expect(await headOf(admin.tenantId)).toEqual({ seq: '6', hash: snapshot[5]!.hash });
  });
});

describe('concurrent appends', () => {
  it('10 role changes at once in one tenant: gapless seqs, a valid chain', async () => {
    const admin = await signup(t.app);
    const members = await Promise.all(Array.from({ length: 10 }, () => signup(t.app)));
    for (const m of members) await addMember(t.db.adminUrl, admin.tenantId, m.userId, 'member');
    const answers = await Promise.all(
      members.map((m) =>
        call({
          method: 'PATCH',
          url: `/api/v1/tenants/${admin.tenantId}/members/${m.userId}`,
          token: admin.accessToken,
          payload: { role: 'auditor' },
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array<number>(10).fill(200));
    const events = await eventsOf(admin);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => 12 - i));
    expect(new Set(events.filter((e) => e.action === 'member.role_changed').map((e) => e.entity.id))).toEqual(
      new Set(members.map((m) => m.userId)),
    );
    expect(await verify(admin)).toMatchObject({ valid: true, count: 12, headSeq: 12 });
  });

  it('invitations and sign-ups at once across tenants: every chain valid and gapless', async () => {
    const [a, b] = await Promise.all([signup(t.app), signup(t.app)]);
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) =>
        call({
          method: 'POST',
          url: `/api/v1/tenants/${a.tenantId}/invitations`,
          token: a.accessToken,
          payload: { email: uniqueEmail(`a${i}`), role: 'viewer' },
        }),
      ),
      ...Array.from({ length: 8 }, (_, i) =>
        call({
          method: 'POST',
          url: `/api/v1/tenants/${b.tenantId}/invitations`,
          token: b.accessToken,
          payload: { email: uniqueEmail(`b${i}`), role: 'auditor' },
        }),
      ),
      ...Array.from({ length: 4 }, () =>
        call({ method: 'POST', url: '/api/v1/tenants', token: a.accessToken, payload: { name: 'Parallel Org' } }),
      ),
    ]);
    expect(answers.map((r) => r.statusCode)).toEqual(Array<number>(20).fill(201));
    for (const account of [a, b]) {
      const events = await eventsOf(account);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 10 - i));
      expect(await verify(account)).toMatchObject({ valid: true, count: 10, headSeq: 10 });
    }
  });
});
