import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { getAccessToken, refreshSession } from './session';

export type Schemas = components['schemas'];
export type Task = Schemas['TaskDto'];
export type TaskDetail = Schemas['TaskDetailDto'];
export type Member = Schemas['MemberDto'];
export type Membership = Schemas['MembershipDto'];
export type Role = Membership['role'];
export type Evidence = Schemas['EvidenceDto'];
export type AuditEvent = Schemas['AuditEventDto'];

/** The API's error body: `{statusCode, code, message, details?, requestId}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export function toApiError(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as { code?: unknown; message?: unknown; requestId?: unknown };
  return new ApiError(
    status,
    typeof b.code === 'string' ? b.code : `HTTP_${status}`,
    typeof b.message === 'string' ? b.message : `HTTP ${status}`,
    typeof b.requestId === 'string' ? b.requestId : undefined,
  );
}

// Bearer token on every call; one refresh and one retry when the access token has expired.
const auth: Middleware = {
  onRequest({ request }) {
    const token = getAccessToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
};

const retried = new WeakSet<Request>();

async function fetchWithRefresh(input: Request): Promise<Response> {
  const retry = input.clone();
  const res = await fetch(input);
  if (res.status !== 401 || retried.has(input) || input.url.includes('/api/v1/auth/')) return res;
  if (!(await refreshSession())) return res;
  retried.add(retry);
  retry.headers.set('authorization', `Bearer ${getAccessToken() ?? ''}`);
  return fetch(retry);
}

export const api = createClient<paths>({ baseUrl: '/', fetch: fetchWithRefresh, credentials: 'same-origin' });
api.use(auth);

/** The data of an openapi-fetch result, or its error thrown as an ApiError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw toApiError(response.status, error);
  return data as T;
}
