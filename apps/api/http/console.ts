import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { projectRoot } from '../../../libs/core';

/** Where `npm run build` writes the console (apps/web). */
export const CONSOLE_DIR = path.join(projectRoot(), 'dist', 'web');

// Paths that belong to the server (/metrics lives on METRICS_PORT; here it must stay a 404): an
// unknown one there is an API 404, never the console's page.
const SERVER_PATHS = /^\/(api|docs|health|metrics)(\/|$|\?)/;
// Vite names every asset after its content hash: a changed file is a new URL, so it may be cached for a year.
const HASHED_ASSET = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the console from dist/web at `/`: hashed assets with a year-long cache, the HTML entry
 * with `no-cache` (so a new deployment is picked up at once), and the entry for every other GET
 * that no route answers (the console's client-side routes: `/tenants/…/tasks/…`, mailed links).
 * Only requests that already missed every route reach this (Fastify's 404 path), so no API
 * route, and no 405 answer of a known API path, can be shadowed by it.
 */
export async function registerConsole(fastify: FastifyInstance, dir = CONSOLE_DIR): Promise<void> {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) return; // api-only build (no `vite build` ran): /api still works.
  // cacheControl off: the headers are ours (set below per kind of file), not the plugin's max-age=0.
  await fastify.register(fastifyStatic, { root: dir, serve: false, index: false, cacheControl: false });
  const files = new Set(listFiles(dir));
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.is404 || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const pathname = (request.url.split('?')[0] ?? '/').replace(/\/+$/, '') || '/';
    if (SERVER_PATHS.test(pathname)) return;
    if (files.has(pathname) && pathname !== '/index.html') {
      void reply.header('cache-control', HASHED_ASSET.test(pathname) ? IMMUTABLE : 'public, max-age=3600');
      return reply.sendFile(pathname.slice(1));
    }
    // A missing hashed asset is a stale page asking for an old build: a 404, not the HTML entry.
    if (pathname.startsWith('/assets/')) return;
    void reply.header('cache-control', 'no-cache');
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}/${entry.name}`) : [`${prefix}/${entry.name}`],
    );
}
