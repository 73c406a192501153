/**
 * Bad input on every tenancy endpoint that takes a body (and the members list's query): missing,
 * unknown and wrong-typed fields, huge values, broken or non-JSON bodies. Each answers 4xx with
 * the common error body and a code, never 5xx, and writes nothing (no row changes anywhere in
 * the tenancy tables, no mail sent).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { simpleParser } from 'mailparser';
import { Client } from 'pg';
import { addMember, caller, PASSWORD, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { insertUser, resetMembership } from '../factories/tenancy';
import { bootTestApp, type TestApp } from '../harness/app';
import { query } from '../harness/database';

const HUGE = 'x'.repeat(100_000);
const OVER_ONE_MIB = 'y'.repeat(1024 * 1024 + 16);
const NO_SUCH_UUID = '00000000-0000-4000-8000-000000000000';

let t: TestApp;
let call: Caller;
/** One superuser connection kept open for the many snapshots. */
let inspector: Client;
let admin: Account;
/** A member of admin's tenant, target of the PATCH cases. */
let target: string;
/** An account whose refresh token is the valid base of the refresh/logout cases (spent only by the control calls). */
let session: Account;
/** A pending invitation to a new account, the valid base of the accept cases. */
let invitationToken: string;
const invitedEmail = uniqueEmail('invited');

/** The PATCH target back to a plain member without expiry. */
async function resetTarget(): Promise<void> {
  await resetMembership(t.db.adminUrl, admin.tenantId, target, 'member');
}

const outbox = (): string => path.join(t.config.dataDir, 'outbox');
const mailCount = (): number => (fs.existsSync(outbox()) ? fs.readdirSync(outbox()).length : 0);

/** Everything a bad request could have half-written, read as superuser behind the app's back. */
async function snapshot(): Promise<{ rows: unknown; mails: number }> {
  const result = await inspector.query<{ rows: unknown }>(
    `SELECT json_build_object(
       'app_user', (SELECT coalesce(json_agg(x ORDER BY x.id), '[]') FROM (SELECT id, email, name, password_hash, updated_at FROM app_user) x),
       'tenant', (SELECT coalesce(json_agg(x ORDER BY x.id), '[]') FROM tenant x),
       'membership', (SELECT coalesce(json_agg(x ORDER BY x.tenant_id, x.user_id), '[]') FROM membership x),
       'invitation', (SELECT coalesce(json_agg(x ORDER BY x.id), '[]') FROM invitation x),
       'refresh_token', (SELECT coalesce(json_agg(x ORDER BY x.id), '[]') FROM (SELECT id, used_at, revoked_at FROM refresh_token) x)
     ) AS rows`,
  );
  return { rows: result.rows[0]?.rows, mails: mailCount() };
}

/** The worker writes the invitation mail after commit: wait for it (up to 10 s). */
async function tokenFromOutbox(email: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    for (const file of fs.existsSync(outbox()) ? fs.readdirSync(outbox()).filter((f) => f.endsWith('.eml')) : []) {
      const raw = fs.readFileSync(path.join(outbox(), file));
      const mail = await simpleParser(raw);
      const link = /\/invitations\/accept\?token=([^\s"<>]+)/.exec(mail.text ?? '');
      if (raw.toString('utf8').includes(email) && link?.[1]) return decodeURIComponent(link[1]);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no invitation mail for ${email} in ${outbox()}`);
}

beforeAll(async () => {
  t = await bootTestApp(
    {
      RATE_LIMIT_SIGNUP: '1000/1h',
      RATE_LIMIT_LOGIN_IP: '1000/15m',
      RATE_LIMIT_LOGIN_ACCOUNT: '1000/15m',
      RATE_LIMIT_REFRESH: '1000/1m',
      RATE_LIMIT_INVITATION_ACCEPT: '1000/1h',
    },
    // The worker's jobs write the invitation mail.
    undefined,
    { withWorker: true },
  );
  call = caller(t.app);
  inspector = new Client({ connectionString: t.db.adminUrl });
  await inspector.connect();
  [admin, session] = await Promise.all([
    signup(t.app, { email: uniqueEmail('admin'), organization: 'Bad Input Org' }),
    signup(t.app, { email: uniqueEmail('session') }),
  ]);
  target = (await insertUser(t.db.adminUrl, { email: uniqueEmail('target'), name: 'Target' })).id;
  await addMember(t.db.adminUrl, admin.tenantId, target, 'member');
  // A third member, so the members list always has more than one page of one.
  await addMember(t.db.adminUrl, admin.tenantId, session.userId, 'viewer');
  const invited = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/invitations`,
    payload: { email: invitedEmail, role: 'viewer' },
    token: admin.accessToken,
  });
  if (invited.statusCode !== 201) throw new Error(`setup invitation failed: ${invited.statusCode} ${invited.body}`);
  invitationToken = await tokenFromOutbox(invitedEmail);
});
afterAll(async () => {
  await inspector.end();
  await t.close();
});

const ERROR_KEYS = ['code', 'details', 'message', 'requestId', 'statusCode'];

/** The common error body, with this status and code (and, when given, `details` naming the field). */
function expectError(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  expect(res.statusCode).toBeLessThan(500);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json<Record<string, unknown>>();
  const details = Array.isArray(body.details) ? (body.details as { field?: unknown }[]) : [];
  expect({
    status: res.statusCode,
    code: body.code,
    ...(field !== undefined ? { fieldNamed: details.some((d) => d.field === field) } : {}),
  }).toEqual({
    status,
    code,
    ...(field !== undefined ? { fieldNamed: true } : {}),
  });
  expect(body).toEqual(
    expect.objectContaining({ statusCode: status, code, message: expect.stringMatching(/\S/), requestId: res.headers['x-request-id'] }),
  );
  expect(Object.keys(body).filter((k) => !ERROR_KEYS.includes(k))).toEqual([]);
  // No stack, SQL or parser internals.
  expect(res.body).not.toMatch(/\.ts:\d|node_modules|SELECT |INSERT |SyntaxError|Unexpected (end|token)/);
}

type Json = Record<string, unknown>;

interface BadCase {
  name: string;
  /** The raw body, from the endpoint's valid one (known only once the fixture exists); undefined sends none. */
  body: (valid: Json) => string | undefined;
  contentType?: string;
  status: 400 | 413 | 415;
  code: string;
  field?: string;
}

interface EndpointSpec {
  name: string;
  method: 'POST' | 'PATCH';
  url: () => string;
  token: () => string | undefined;
  /** A body the endpoint accepts; the cases below break it one way at a time. */
  valid: () => Json;
  required: readonly string[];
  optional: readonly string[];
  /** The status of the valid body (control at the end). */
  ok: 200 | 201 | 204;
  /** Fields whose values are strings (huge-string cases). */
  strings: readonly string[];
  /** More cases specific to the endpoint. */
  extra?: BadCase[];
  /** Puts back what an earlier (wrongly accepted) case may have changed, so cases stay independent. */
  reset?: () => Promise<void>;
}

const without = (o: Json, key: string): Json => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const json = (value: unknown): string => JSON.stringify(value);
/** A 400 VALIDATION_FAILED case naming `field`, its body derived from the valid one. */
const invalid = (name: string, body: (valid: Json) => Json, field?: string): BadCase => ({
  name,
  body: (valid) => json(body(valid)),
  status: 400,
  code: 'VALIDATION_FAILED',
  ...(field !== undefined ? { field } : {}),
});

const WRONG_TYPES: readonly [string, unknown][] = [
  ['a number', 12345],
  ['a boolean', true],
  ['an array', ['x']],
  ['an object', { value: 'x' }],
];

/** Missing, unknown, wrong-typed and huge fields; then broken bodies. */
function casesFor(spec: EndpointSpec): BadCase[] {
  const cases: BadCase[] = [];
  const firstRequired = spec.required[0];
  if (firstRequired !== undefined) cases.push(invalid('an empty object', () => ({}), firstRequired));
  for (const field of spec.required) cases.push(invalid(`${field} missing`, (valid) => without(valid, field), field));
  cases.push(invalid('an unknown extra field', (valid) => ({ ...valid, isAdmin: true }), 'isAdmin'));
  cases.push(invalid('an unknown extra field named like a column', (valid) => ({ ...valid, tenant_id: NO_SUCH_UUID }), 'tenant_id'));
  for (const field of [...spec.required, ...spec.optional]) {
    for (const [label, value] of WRONG_TYPES) cases.push(invalid(`${field} is ${label}`, (valid) => ({ ...valid, [field]: value }), field));
  }
  // null is "absent" for optional fields (and means "no expiry" for expiresAt): only required ones here.
  for (const field of spec.required) cases.push(invalid(`${field} is null`, (valid) => ({ ...valid, [field]: null }), field));
  for (const field of spec.strings) cases.push(invalid(`${field} is 100k characters`, (valid) => ({ ...valid, [field]: HUGE }), field));
  cases.push(
    { name: 'malformed JSON', body: () => '{"a":', status: 400, code: 'MALFORMED_JSON' },
    { name: 'an empty body declared as JSON', body: () => '', status: 400, code: 'MALFORMED_JSON' },
    {
      name: 'prototype poisoning',
      body: (valid) => `{"__proto__":{"isAdmin":true},${json(valid).slice(1)}`,
      status: 400,
      code: 'MALFORMED_JSON',
    },
    { name: 'a JSON array of the valid body', body: (valid) => json([valid]), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'JSON null', body: () => 'null', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'a JSON string', body: () => '"hello"', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'a JSON number', body: () => '42', status: 400, code: 'VALIDATION_FAILED' },
    {
      name: 'the valid body as text/plain',
      body: (valid) => json(valid),
      contentType: 'text/plain',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a form-encoded body',
      body: (valid) => new URLSearchParams(Object.entries(valid).map(([k, v]): [string, string] => [k, String(v)])).toString(),
      contentType: 'application/x-www-form-urlencoded',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    { name: 'an XML body', body: () => '<signup/>', contentType: 'application/xml', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'a body over 1 MiB', body: (valid) => json({ ...valid, padding: OVER_ONE_MIB }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
  );
  if (firstRequired !== undefined) cases.push({ name: 'no body at all', body: () => undefined, status: 400, code: 'VALIDATION_FAILED' });
  return [...cases, ...(spec.extra ?? [])];
}

const ENDPOINTS: EndpointSpec[] = [
  {
    name: 'POST /api/v1/auth/signup',
    method: 'POST',
    url: () => '/api/v1/auth/signup',
    ok: 201,
    token: () => undefined,
    valid: () => ({ email: 'fresh-signup@example.test', password: PASSWORD, name: 'Fresh', organization: 'Fresh Org' }),
    required: ['email', 'password', 'name', 'organization'],
    optional: [],
    strings: ['email', 'password', 'name', 'organization'],
    extra: [
      invalid('email is not an email address', (valid) => ({ ...valid, email: 'not-an-email' }), 'email'),
      invalid('name is blank', (valid) => ({ ...valid, name: '   ' }), 'name'),
      invalid('organization is empty', (valid) => ({ ...valid, organization: '' }), 'organization'),
      invalid('password is too short', (valid) => ({ ...valid, password: 'short' }), 'password'),
    ],
  },
  {
    name: 'POST /api/v1/auth/login',
    method: 'POST',
    url: () => '/api/v1/auth/login',
    ok: 200,
    token: () => undefined,
    valid: () => ({ email: admin.email, password: PASSWORD }),
    required: ['email', 'password'],
    optional: [],
    strings: ['email', 'password'],
    extra: [invalid('password is empty', (valid) => ({ ...valid, password: '' }), 'password')],
  },
  {
    name: 'POST /api/v1/auth/refresh',
    method: 'POST',
    url: () => '/api/v1/auth/refresh',
    ok: 200,
    token: () => undefined,
    valid: () => ({ refreshToken: session.refreshToken }),
    // Optional since the console's cookie flow (no token in the body: 401 REFRESH_TOKEN_MISSING, refresh-cookie.e2e-spec.ts).
    required: [],
    optional: ['refreshToken'],
    strings: ['refreshToken'],
    extra: [invalid('refreshToken is empty', (valid) => ({ ...valid, refreshToken: '' }), 'refreshToken')],
  },
  {
    name: 'POST /api/v1/auth/logout',
    method: 'POST',
    url: () => '/api/v1/auth/logout',
    ok: 204,
    token: () => undefined,
    valid: () => ({ refreshToken: session.refreshToken }),
    required: [],
    optional: ['refreshToken'],
    strings: ['refreshToken'],
  },
  {
    name: 'POST /api/v1/tenants',
    method: 'POST',
    url: () => '/api/v1/tenants',
    ok: 201,
    token: () => admin.accessToken,
    valid: () => ({ name: 'Second Org' }),
    required: ['name'],
    optional: [],
    strings: ['name'],
    extra: [invalid('name is blank', (valid) => ({ ...valid, name: ' \t ' }), 'name')],
  },
  {
    name: 'POST /api/v1/tenants/:tenantId/invitations',
    method: 'POST',
    url: () => `/api/v1/tenants/${admin.tenantId}/invitations`,
    ok: 201,
    token: () => admin.accessToken,
    valid: () => ({ email: 'new-colleague@example.test', role: 'member', expiresAt: '2099-01-01T00:00:00Z' }),
    required: ['email', 'role'],
    optional: ['expiresAt'],
    strings: ['email', 'role', 'expiresAt'],
    extra: [
      invalid('role is not a role', (valid) => ({ ...valid, role: 'owner' }), 'role'),
      invalid('role in capitals', (valid) => ({ ...valid, role: 'ADMIN' }), 'role'),
      invalid('email is not an email address', (valid) => ({ ...valid, email: 'colleague at example' }), 'email'),
      invalid('expiresAt is not a date', (valid) => ({ ...valid, expiresAt: 'next tuesday' }), 'expiresAt'),
    ],
  },
  {
    name: 'POST /api/v1/invitations/accept',
    method: 'POST',
    url: () => '/api/v1/invitations/accept',
    ok: 200,
    token: () => undefined,
    valid: () => ({ token: invitationToken, name: 'Invited Person', password: PASSWORD }),
    required: ['token'],
    optional: ['name', 'password'],
    strings: ['token', 'name', 'password'],
    extra: [
      invalid('password is too short', (valid) => ({ ...valid, password: 'short' }), 'password'),
      invalid('name is blank', (valid) => ({ ...valid, name: '   ' }), 'name'),
      invalid('token is empty', (valid) => ({ ...valid, token: '' }), 'token'),
    ],
  },
  {
    name: 'PATCH /api/v1/tenants/:tenantId/members/:userId',
    method: 'PATCH',
    url: () => `/api/v1/tenants/${admin.tenantId}/members/${target}`,
    ok: 200,
    token: () => admin.accessToken,
    valid: () => ({ role: 'viewer', expiresAt: '2099-01-01T00:00:00Z' }),
    required: [],
    optional: ['role', 'expiresAt'],
    strings: ['role', 'expiresAt'],
    extra: [
      invalid('role is not a role', (valid) => ({ ...valid, role: 'owner' }), 'role'),
      // Only expiresAt is nullable (null removes the expiry); a role cannot be null.
      invalid('role is null', () => ({ role: null }), 'role'),
      invalid('expiresAt is not a date', (valid) => ({ ...valid, expiresAt: 'soon' }), 'expiresAt'),
      invalid('an unknown field naming the user', (valid) => ({ ...valid, userId: NO_SUCH_UUID }), 'userId'),
    ],
    reset: resetTarget,
  },
];

describe.each(ENDPOINTS)('$name', (spec) => {
  it.each(casesFor(spec))('$name -> $status $code', async (bad) => {
    await spec.reset?.();
    const before = await snapshot();
    const token = spec.token();
    const body = bad.body(spec.valid());
    const res = await call({
      method: spec.method,
      url: spec.url(),
      ...(body !== undefined ? { payload: body, headers: { 'content-type': bad.contentType ?? 'application/json' } } : {}),
      ...(token ? { token } : {}),
    });
    expectError(res, bad.status, bad.code, bad.field);
    expect(await snapshot()).toEqual(before);
  });
});

describe('PATCH members with a malformed user id', () => {
  it('400 VALIDATION_FAILED naming userId, nothing changed', async () => {
    const before = await snapshot();
    const res = await call({
      method: 'PATCH',
      url: `/api/v1/tenants/${admin.tenantId}/members/not-a-uuid`,
      payload: { role: 'viewer' },
      token: admin.accessToken,
    });
    expectError(res, 400, 'VALIDATION_FAILED', 'userId');
    expect(await snapshot()).toEqual(before);
  });

  it('DELETE likewise', async () => {
    const before = await snapshot();
    const res = await call({ method: 'DELETE', url: `/api/v1/tenants/${admin.tenantId}/members/${target}'--`, token: admin.accessToken });
    expectError(res, 400, 'VALIDATION_FAILED', 'userId');
    expect(await snapshot()).toEqual(before);
  });
});

const cursorOf = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('GET /api/v1/tenants/:tenantId/members query', () => {
  const QUERIES: { query: string; code: string; field?: string }[] = [
    { query: 'limit=0', code: 'VALIDATION_FAILED', field: 'limit' },
    { query: 'limit=-1', code: 'VALIDATION_FAILED', field: 'limit' },
    { query: 'limit=201', code: 'VALIDATION_FAILED', field: 'limit' },
    { query: 'limit=500', code: 'VALIDATION_FAILED', field: 'limit' },
    { query: 'limit=abc', code: 'VALIDATION_FAILED', field: 'limit' },
    { query: 'limit=1.5', code: 'VALIDATION_FAILED', field: 'limit' },
    { query: 'limit=', code: 'VALIDATION_FAILED', field: 'limit' },
    { query: 'limit=1&limit=2', code: 'VALIDATION_FAILED', field: 'limit' },
    { query: `limit=${'9'.repeat(400)}`, code: 'VALIDATION_FAILED', field: 'limit' },
    { query: 'offset=10', code: 'VALIDATION_FAILED', field: 'offset' },
    { query: `cursor=${'A'.repeat(501)}`, code: 'VALIDATION_FAILED', field: 'cursor' },
    { query: 'cursor=garbage', code: 'INVALID_CURSOR' },
    { query: 'cursor=%7B%22a%22%3A', code: 'INVALID_CURSOR' },
    { query: `cursor=${cursorOf(['only-one'])}`, code: 'INVALID_CURSOR' },
    { query: `cursor=${cursorOf({ email: 'a', id: NO_SUCH_UUID })}`, code: 'INVALID_CURSOR' },
    // The right shape, but the id part is not a uuid: must not reach the database as a bad cast.
    { query: `cursor=${cursorOf(['a@example.test', 'not-a-uuid'])}`, code: 'INVALID_CURSOR' },
    { query: `cursor=${cursorOf([1, 2])}`, code: 'INVALID_CURSOR' },
  ];

  it.each(QUERIES)('?$query -> 400 $code', async ({ query: qs, code, field }) => {
    const res = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/members?${qs}`, token: admin.accessToken });
    expectError(res, 400, code, field);
  });

  it('control: a real cursor pages on', async () => {
    const first = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/members?limit=1`, token: admin.accessToken });
    expect(first.statusCode).toBe(200);
    const page = first.json<{ items: { userId: string }[]; nextCursor: string | null }>();
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
    const second = await call({
      method: 'GET',
      url: `/api/v1/tenants/${admin.tenantId}/members?limit=1&cursor=${encodeURIComponent(page.nextCursor!)}`,
      token: admin.accessToken,
    });
    expect(second.statusCode).toBe(200);
    expect(second.json<{ items: { userId: string }[] }>().items[0]?.userId).not.toBe(page.items[0]?.userId);
  });
});

/** Last: the valid bodies the cases were built from are accepted, so each case failed for its one defect. */
describe('control: the valid base bodies are accepted', () => {
  it.each(ENDPOINTS)('$name', async (spec) => {
    await spec.reset?.();
    const token = spec.token();
    const res = await call({ method: spec.method, url: spec.url(), payload: spec.valid(), ...(token ? { token } : {}) });
    expect({ status: res.statusCode, error: res.statusCode >= 300 ? res.body : null }).toEqual({ status: spec.ok, error: null });
  });

  it('the accepted invitation created its account once', async () => {
    const rows = await query<{ n: string }>(t.db.adminUrl, 'SELECT count(*) AS n FROM app_user WHERE email = $1', [invitedEmail]);
    expect(rows[0]?.n).toBe('1');
  });
});
