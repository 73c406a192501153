import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import cors from '@fastify/cors';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NestPinoLogger, ValidationError, type AppConfig, type Logger } from '../../libs/core';
import type { DatabaseTarget } from '../../libs/db';
import { Metrics } from '../runtime/metrics';
import { ApiModule } from './api.module';
import { registerCatalogText } from './catalog/catalog-upload';
import { registerMultipart } from './evidence/multipart';
import { buildOpenApiDocument } from './openapi/document';
import { HTTP_ERRORS } from './http/http.errors';
import { cacheControlFor, containsNul, nulError, redactUrl, trackRoutes, urlHasNul } from './http/hardening';
import { registerConsole } from './http/console';
import { registerSecurityHeaders } from './http/security-headers';
import { GlobalErrorFilter, sendError } from './http/error.filter';
import { createValidationPipe } from './http/validation.pipe';
import { attachShutdownGate, ShutdownGate } from './http/shutdown-gate';

export const API_PREFIX = 'api/v1';

// A client-supplied request id is kept only when it is short and plain, so it is safe in logs.
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

// How long a refused body may keep arriving after the answer, so the client reads the answer
// before the socket goes away (a close with unread data resets the connection).
const LINGER_MS = 1000;

function closeAfterLinger(socket: Socket): void {
  if (socket.destroyed) return;
  // Node sends FIN after the answer (Connection: close) and drains what arrives; then, at most
  // LINGER_MS later, the socket is closed.
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** The HTTP app, fully configured but not listening: main() listens, tests inject. */
export interface ApiOptions {
  /** Also host the worker's jobs in this process (`npm start`): one pool, one data source. */
  readonly withWorker?: boolean;
  /** Where the built console is (default dist/web); tests point it at a build of their own. */
  readonly consoleDir?: string;
}

export async function createApi(
  config: AppConfig,
  target: DatabaseTarget,
  logger: Logger,
  options: ApiOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: config.bodyLimitBytes,
    // Only the configured proxies may say who the client is (rate limits key on it); a client
    // talking to us directly could otherwise put any address in X-Forwarded-For.
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    // Router errors (bad URL encoding, over-long parameters) get our error body too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendError(logger, error, request, reply),
    // The request id is always ours (it is what the audit trail records); a caller's own id is
    // kept apart as clientRequestId, echoed in x-client-request-id and logged beside ours.
    genReqId: () => randomUUID(),
    // Requests that arrive while stopping are answered by our ShutdownGate, with our error body.
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config, target, logger, options.withWorker ?? false),
    adapter,
    {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
      // Body parsing is ours (below): JSON only, with our error codes.
      bodyParser: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  trackRoutes(fastify);
  app.get(Metrics).instrument(fastify);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    const given = request.headers['x-request-id'];
    if (typeof given === 'string' && REQUEST_ID.test(given)) {
      (request as FastifyRequest & { clientRequestId?: string }).clientRequestId = given;
      void reply.header('x-client-request-id', given);
    }
    if (urlHasNul(request.url)) throw nulError('URL');
  });
  // After the request id is set: a 503 SHUTTING_DOWN carries it in its body and header.
  const gate = new ShutdownGate();
  gate.install(fastify, logger);
  attachShutdownGate(app, gate);
  fastify.addHook('onSend', async (request, reply) => {
    cacheControlFor(request, reply);
  });
  // A body not read whole (an upload refused before its end: 404, 413, 415...): the client may
  // still be sending megabytes we will not read. Answer with `Connection: close`, and close the
  // socket shortly after the answer rather than reading the rest for as long as the client sends.
  fastify.addHook('onSend', async (request, reply, payload) => {
    // Injected requests (tests) have no `complete`: only a real socket's body can be left unread.
    const incoming: { complete?: boolean } = request.raw;
    if (incoming.complete === false) {
      void reply.header('connection', 'close');
      reply.raw.once('finish', () => closeAfterLinger(request.raw.socket));
    }
    return payload;
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply) => {
    // The line's object (and the URL's redaction) only when it will be written.
    if (!logger.isLevelEnabled('info')) return;
    const ctx = (request as FastifyRequest & { logContext?: { tenantId?: string; userId?: string } }).logContext;
    logger.info(
      {
        requestId: request.id,
        method: request.method,
        url: redactUrl(request.url),
        clientRequestId: (request as FastifyRequest & { clientRequestId?: string }).clientRequestId,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
        tenantId: ctx?.tenantId,
        userId: ctx?.userId,
      },
      'request',
    );
  });
  // Fastify's JSON parser (with prototype-poisoning checks), its failures turned into our code.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  // Only the body formats we accept: JSON objects here (text/plain and others answer 415).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    void parseJson(request, body as string, (error, value) => {
      if (error)
        done(
          new ValidationError(
            'The body is not valid JSON: send one JSON object, or no Content-Type when there is no body.',
            undefined,
            HTTP_ERRORS.MALFORMED_JSON,
          ),
        );
      else if (typeof value !== 'object' || value === null || Array.isArray(value))
        done(new ValidationError('The body must be a JSON object ({...}).', [{ field: 'body', problems: ['must be a JSON object'] }]));
      else if (containsNul(value)) done(nulError('body'));
      else done(null, value);
    });
  });

  // multipart/form-data, streamed, for the routes that opt in (evidence uploads).
  await registerMultipart(app, config);
  // text/markdown and text/csv bodies, for the catalog import only.
  registerCatalogText(app);

  registerSecurityHeaders(fastify, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Swagger UI at /docs needs inline styles and data: images.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // HSTS only where the api is reached over https: on http://localhost it would pin a browser to
    // https for a host that does not serve it.
    hsts: config.publicUrl.startsWith('https://') ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  // CORS is off unless origins are configured: the console is same-origin and needs none.
  if (config.corsOrigins.length > 0)
    await app.register(cors, {
      origin: [...config.corsOrigins],
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'x-refresh-cookie'],
      exposedHeaders: ['x-request-id', 'retry-after', 'content-disposition'],
      maxAge: 600,
    });
  await registerConsole(fastify, options.consoleDir);
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new GlobalErrorFilter(logger));

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json', useGlobalPrefix: false });
  return app;
}
