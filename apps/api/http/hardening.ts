import FindMyWay, { type HTTPMethod, type HTTPVersion, type Instance as Router } from 'find-my-way';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../../libs/core';
import { HTTP_ERRORS } from './http.errors';

/** True when a string, a key or a nested value holds U+0000, which Postgres text cannot store. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v, depth + 1));
}

export function nulError(where: string): ValidationError {
  return new ValidationError(
    `The ${where} contains a NUL character (U+0000), which no field accepts: remove it.`,
    [{ field: where, problems: ['must not contain U+0000'] }],
    HTTP_ERRORS.INVALID_CHARACTER,
  );
}

/** A NUL anywhere in the path or query string, raw or percent-encoded. */
export function urlHasNul(url: string): boolean {
  return url.includes('\u0000') || /%00/i.test(url);
}

// Query parameters whose values are credentials: never written to a log line.
const SECRET_PARAM = /token|secret|password|signature|key|code/i;

/** The URL as it may be logged: credential-like query values replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAM.test(decodeSafe(name)) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const METHODS: readonly HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const routers = new WeakMap<FastifyInstance, Router<HTTPVersion.V1>>();

/**
 * Records every route in a router of our own, so that a known path asked with another method can
 * answer 405 with `Allow` instead of 404 (Fastify only knows "no route").
 */
export function trackRoutes(fastify: FastifyInstance): void {
  const router = FindMyWay({ ignoreTrailingSlash: false });
  routers.set(fastify, router);
  fastify.addHook('onRoute', (route) => {
    // A catch-all (CORS preflights: OPTIONS *) says nothing about which paths exist.
    if (route.url === '*' || route.url === '/*') return;
    const methods: readonly string[] = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of METHODS.filter((m) => methods.includes(m)))
      if (!router.hasRoute(method, route.url)) router.on(method, route.url, () => undefined);
  });
}

/** Methods the path answers to (empty when the path is unknown). */
export function allowedMethods(fastify: FastifyInstance, url: string): string[] {
  const router = routers.get(fastify);
  if (!router) return [];
  const path = url.split('?')[0] ?? url;
  return METHODS.filter((m) => router.find(m, path) !== null);
}

/** Sets Cache-Control: no-store where a response may carry a token or a user's data. */
export function cacheControlFor(request: FastifyRequest, reply: FastifyReply): void {
  if (reply.hasHeader('cache-control')) return;
  const path = request.url.split('?')[0] ?? '';
  if (request.headers.authorization !== undefined || path.startsWith('/api/')) void reply.header('cache-control', 'no-store');
}
