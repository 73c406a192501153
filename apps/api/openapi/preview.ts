import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createLogger, loadConfig } from '../../../libs/core';
import { ApiModule } from '../api.module';
import { API_PREFIX } from '../create-api';
import { buildOpenApiDocument, handlersOf, type Handler } from './document';

/**
 * The OpenAPI document without a server or a database: Nest's preview mode builds the module
 * graph from metadata and instantiates no provider, so nothing connects. Used by `npm run openapi`
 * and by the test that checks every operation is documented; `handlers` are the route handlers by
 * operationId, for checks on their metadata.
 */
export async function previewOpenApiDocument(): Promise<{ document: OpenAPIObject; handlers: Map<string, Handler> }> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const target = { appUrl: 'postgres://unused', ownerUrl: 'postgres://unused', appRole: 'unused' };
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config, target, createLogger('silent', 'openapi'), false),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready'] });
    return { document: buildOpenApiDocument(app), handlers: handlersOf(app) };
  } finally {
    await app.close();
  }
}
