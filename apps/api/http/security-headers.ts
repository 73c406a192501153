import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's response headers for one configuration, computed once. helmet is a connect
 * middleware that sets the same headers on every response when, as here, no directive depends on
 * the request (no CSP nonces); @fastify/helmet ran it, rebuilding every sub-middleware and
 * re-parsing the CSP directives, on each request (docs/benchmarks.md). helmet stays the authority
 * on which headers and values; only the work is done once.
 */
export function securityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  // A function directive (a CSP nonce) is computed per request: once would give every answer the same nonce.
  const csp = options.contentSecurityPolicy;
  const directives: Record<string, unknown> = typeof csp === 'object' ? (csp.directives ?? {}) : {};
  for (const [name, value] of Object.entries(directives))
    if (typeof value === 'function' || (Array.isArray(value) && value.some((v) => typeof v === 'function')))
      throw new Error(`securityHeaders: the CSP directive ${name} depends on the request and cannot be computed once`);
  const headers = new Map<string, string>();
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
      return response;
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  const outcome: { done: boolean; error?: unknown } = { done: false };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    outcome.done = true;
    outcome.error = error;
  });
  if (!outcome.done) throw new Error('helmet did not finish synchronously: a directive depends on the request');
  if (outcome.error instanceof Error) throw outcome.error;
  if (outcome.error !== undefined) throw new Error('helmet refused the configuration');
  return Object.freeze(Object.fromEntries(headers));
}

/** Sets helmet's headers (computed once) on every answer, errors and 404s included. */
export function registerSecurityHeaders(fastify: FastifyInstance, options: HelmetOptions): void {
  const headers = securityHeaders(options);
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
