import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { BaselineFactory, Json } from '../harness/scenario';
import { serveChild } from './serve-child';

function isFactory(value: unknown): value is BaselineFactory<Json> {
  return typeof value === 'function';
}

/** `createBaseline` from a compiled CommonJS module loaded through import(). */
async function loadFactory(file: string): Promise<BaselineFactory<Json>> {
  const loaded: unknown = await import(pathToFileURL(file).href);
  const candidates: unknown[] = [];
  if (typeof loaded === 'object' && loaded !== null) {
    if ('createBaseline' in loaded) candidates.push(loaded.createBaseline);
    if ('default' in loaded && typeof loaded.default === 'object' && loaded.default !== null && 'createBaseline' in loaded.default) {
      candidates.push(loaded.default.createBaseline);
    }
  }
  const factory = candidates.find(isFactory);
  if (!factory) throw new Error(`${file} does not export a createBaseline function`);
  return factory;
}

// The scenario's raw baseline (bare Fastify + pg), alone in its process.
serveChild(async (start) => {
  if (!start.baseline) throw new Error('no baseline module given');
  const createBaseline = await loadFactory(start.baseline.module);
  const server = await createBaseline({ db: start.db, poolSize: start.poolSize, state: start.baseline.state });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.server.address() as AddressInfo;
  return { port, close: () => server.close() };
});
