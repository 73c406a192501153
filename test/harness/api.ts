import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { addMembership } from '../factories/tenancy';

export interface Account {
  userId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** The tenant created at sign-up, where the account is admin. */
  tenantId: string;
}

let counter = 0;
/** A unique email for this test run. */
export const uniqueEmail = (prefix = 'user'): string => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}@example.test`;

export const PASSWORD = 'plum-orchard-lantern-42';

export type Caller = (options: InjectOptions & { token?: string }) => Promise<LightMyRequestResponse>;

/** app.inject with an optional bearer token. */
export function caller(app: NestFastifyApplication): Caller {
  return ({ token, headers, ...rest }) =>
    app.inject({ ...rest, headers: { ...(headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) } } as InjectOptions);
}

export async function signup(
  app: NestFastifyApplication,
  options: { email?: string; organization?: string; name?: string; remoteAddress?: string } = {},
): Promise<Account> {
  const email = options.email ?? uniqueEmail();
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email, password: PASSWORD, name: options.name ?? 'Test User', organization: options.organization ?? 'Test Org' },
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const body = res.json<{ accessToken: string; refreshToken: string; user: { id: string; email: string }; tenant: { id: string } }>();
  return {
    userId: body.user.id,
    email: body.user.email,
    password: PASSWORD,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    tenantId: body.tenant.id,
  };
}

export async function login(
  app: NestFastifyApplication,
  email: string,
  password = PASSWORD,
): Promise<{ accessToken: string; refreshToken: string; userId: string }> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const body = res.json<{ accessToken: string; refreshToken: string; user: { id: string } }>();
  return { accessToken: body.accessToken, refreshToken: body.refreshToken, userId: body.user.id };
}

/** Test setup behind the API: gives an existing account a role in a tenant (test/factories/tenancy.ts). */
export const addMember = addMembership;
