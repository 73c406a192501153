import type { AppConfig, Logger } from '../../libs/core';
import { resolveDatabase } from '../../libs/db';
import { createApi } from '../api/create-api';
import { createWorker } from '../worker/create-worker';
import { stopAll, type Running } from './lifecycle';
import { prepareDatabase } from './prepare-database';

export interface StartOptions {
  readonly api: boolean;
  readonly worker: boolean;
}

/** Database (embedded or DATABASE_URL), migrations, seed, then the api and/or the worker. */
export async function start(config: AppConfig, logger: Logger, parts: StartOptions): Promise<Running> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const target = await resolveDatabase(config, logger);
    if (target.embedded) {
      const pg = target.embedded;
      stops.push(() => pg.stop());
    }
    await prepareDatabase(config, target, logger);
    if (parts.worker && !parts.api) {
      const worker = await createWorker(config, target, logger);
      stops.push(() => worker.close());
      logger.info('worker started');
    }
    if (parts.api) {
      const api = await createApi(config, target, logger, { withWorker: parts.worker });
      stops.push(() => api.close());
      await api.listen({ port: config.port, host: config.host });
      const address = api.getHttpServer().address();
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
