import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type AppConfig } from '../../../libs/core';
import { HTTP_ERRORS } from '../http/http.errors';

// The console's session: its refresh token lives in an HttpOnly cookie that page scripts cannot
// read, sent only to the two endpoints that use it. API clients keep the JSON flow (the token in
// the body, no cookie): the cookie flow is chosen per request with the X-Refresh-Cookie header.
export const REFRESH_COOKIE = 'dutybook_refresh';
export const COOKIE_MODE_HEADER = 'x-refresh-cookie';
const COOKIE_PATHS = ['/api/v1/auth/refresh', '/api/v1/auth/logout'];

/** The client asked for the cookie flow (the console does; scripts using the API do not). */
export const wantsCookie = (request: FastifyRequest): boolean => request.headers[COOKIE_MODE_HEADER] === '1';

// Secure everywhere except plain-http localhost, where a browser would refuse to store it.
const secureFor = (config: AppConfig): boolean => !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(config.publicUrl);

function cookies(value: string | null, maxAgeSeconds: number, config: AppConfig): string[] {
  return COOKIE_PATHS.map((path) =>
    [
      `${REFRESH_COOKIE}=${value ?? ''}`,
      `Path=${path}`,
      `Max-Age=${maxAgeSeconds}`,
      'HttpOnly',
      'SameSite=Strict',
      ...(secureFor(config) ? ['Secure'] : []),
    ].join('; '),
  );
}

export function setRefreshCookie(reply: FastifyReply, refreshToken: string, config: AppConfig): void {
  void reply.header('set-cookie', cookies(encodeURIComponent(refreshToken), config.refreshTokenTtlDays * 86_400, config));
}

export function clearRefreshCookie(reply: FastifyReply, config: AppConfig): void {
  void reply.header('set-cookie', cookies(null, 0, config));
}

export function readRefreshCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === REFRESH_COOKIE) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim()) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * A request that a cookie authenticates must come from our own pages: SameSite=Strict already
 * keeps the cookie off cross-site requests, and the Origin check also refuses same-site pages of
 * another origin (a sibling subdomain) and browsers that ignore SameSite.
 */
export function assertSameOrigin(request: FastifyRequest, config: AppConfig): void {
  const origin = request.headers.origin;
  const allowed = [new URL(config.publicUrl).origin, ...config.corsOrigins];
  if (typeof origin !== 'string' || !allowed.includes(origin))
    throw new DomainError(HTTP_ERRORS.ORIGIN_NOT_ALLOWED, `Requests with the session cookie are accepted from ${allowed.join(', ')} only.`);
}

/** The refresh token of a refresh/logout call: from the body (API clients), else from the cookie (the console, Origin checked). */
export function refreshTokenOf(request: FastifyRequest, body: string | undefined, config: AppConfig): string {
  if (body) return body;
  const fromCookie = readRefreshCookie(request);
  if (!fromCookie)
    throw new DomainError(HTTP_ERRORS.REFRESH_TOKEN_MISSING, 'No refresh token: send refreshToken in the body, or sign in again.');
  assertSameOrigin(request, config);
  return fromCookie;
}
