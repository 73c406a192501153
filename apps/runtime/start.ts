import type { Server, ServerResponse } from 'node:http';
import type { AppConfig, Logger } from '../../libs/core';
import { resolveDatabase, warnIfRlsCannotProtect } from '../../libs/db';
import { createApi } from '../api/create-api';
import { shutdownGateOf, type ShutdownGate } from '../api/http/shutdown-gate';
import { createWorker } from '../worker/create-worker';
import { stopAll, type Fatal, type Running } from './lifecycle';
import { prepareDatabase } from './prepare-database';

export interface StartOptions {
  readonly api: boolean;
  readonly worker: boolean;
}

/**
 * Database (embedded or DATABASE_URL), migrations, seed, then the api and/or the worker.
 * Stopping runs in reverse: stop accepting and let in-flight requests finish (half of
 * SHUTDOWN_TIMEOUT_MS at most), then the worker and pg-boss, the pools, and Postgres last.
 */
export async function start(config: AppConfig, logger: Logger, parts: StartOptions, fatal: Fatal): Promise<Running> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const target = await resolveDatabase(config, logger);
    if (target.embedded) {
      const pg = target.embedded;
      stops.push(() => pg.stop());
      // Restarts were tried and failed: nothing can be served; let a supervisor act.
      pg.onFailure(fatal);
    }
    await prepareDatabase(config, target, logger);
    if (!target.embedded) await warnIfRlsCannotProtect(target.appUrl, logger);
    if (parts.worker && !parts.api) {
      const worker = await createWorker(config, target, logger);
      stops.push(() => worker.close());
      logger.info('worker started');
    }
    if (parts.api) {
      const api = await createApi(config, target, logger, { withWorker: parts.worker });
      // Nest's close() runs the worker's and TypeORM's shutdown hooks; draining the HTTP server
      // first keeps in-flight requests from losing their pool under them.
      stops.push(() => api.close());
      await api.listen({ port: config.port, host: config.host });
      const server: Server = api.getHttpServer();
      const gate = shutdownGateOf(api);
      stops.push(() => drainHttp(server, gate, Math.floor(config.shutdownTimeoutMs / 2), logger));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const local = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
      if (parts.worker) logger.info('worker jobs running in the api process');
      logger.info(
        { api: `${local}/api/v1`, docs: `${local}/docs`, publicUrl: config.publicUrl },
        `Dutybook API on ${local}/api/v1, docs on ${local}/docs`,
      );
    }
  } catch (error) {
    await stopAll(stops).catch((stopError: unknown) => logger.error({ err: stopError }, 'cleanup after a failed start failed'));
    throw error;
  }
  return { stop: () => stopAll(stops) };
}

/**
 * The stop of the HTTP side, bounded by graceMs: new requests (on new or kept-alive connections)
 * are answered 503 SHUTTING_DOWN by the gate while those in flight finish; idle keep-alive
 * sockets are closed (again as each in-flight response ends). The listener closes once nothing
 * is in flight, so a client reaching us meanwhile gets an answer it can act on, not a refused
 * connection; after graceMs the sockets still open are closed.
 */
export async function drainHttp(server: Server, gate: ShutdownGate, graceMs: number, logger: Logger): Promise<void> {
  if (!server.listening) return;
  gate.begin();
  // Responses still to be written go out with `Connection: close`.
  server.on('request', (_request, response: ServerResponse) => {
    response.shouldKeepAlive = false;
  });
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  logger.info({ inFlight: gate.inFlight }, 'draining: requests in flight finish, new ones are answered 503 SHUTTING_DOWN');
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
  let late = await Promise.race([gate.idle().then(() => false), expired]);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Sockets still open now carry a 503 being written, or a client that sent nothing yet.
  if (!late) late = await Promise.race([closed.then(() => false), expired]);
  clearInterval(sweep);
  clearTimeout(timer);
  if (late) {
    logger.warn({ graceMs, inFlight: gate.inFlight }, 'requests still running when the stop grace period ended; closing their connections');
  }
  server.closeAllConnections();
  await closed;
}
