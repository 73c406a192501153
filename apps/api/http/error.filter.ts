import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../../libs/core';
import { RETRY_AFTER_SECONDS, toErrorBody } from './error-body';
import { allowedMethods, redactUrl } from './hardening';
import { HTTP_ERRORS } from './http.errors';

/** The one place thrown errors become HTTP answers. */
@Catch()
export class GlobalErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendError(this.logger, error, request, reply);
  }
}

const ERROR_CODE = Symbol('errorCode');
type RequestWithErrorCode = FastifyRequest & { [ERROR_CODE]?: string };

/** The code of the error body a request was answered with (undefined when it succeeded). */
export function errorCodeOf(request: FastifyRequest): string | undefined {
  return (request as RequestWithErrorCode)[ERROR_CODE];
}

export function sendError(logger: Logger, error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  let body = toErrorBody(error, request.id);
  if (body.code === HTTP_ERRORS.ROUTE_NOT_FOUND.code) {
    // A known path asked with a method it does not take: 405 with the methods it does.
    const allow = allowedMethods(request.server, request.url);
    if (allow.length > 0) {
      void reply.header('allow', allow.join(', '));
      body = {
        statusCode: 405,
        code: HTTP_ERRORS.METHOD_NOT_ALLOWED.code,
        message: `${request.method} is not allowed here: use ${allow.join(', ')}.`,
        requestId: request.id,
      };
    }
  }
  if (body.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="dutybook"');
  if (body.statusCode === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  (request as RequestWithErrorCode)[ERROR_CODE] = body.code;
  if (body.code === HTTP_ERRORS.SHUTTING_DOWN.code) {
    // Part of a normal stop: the request line (info) records it; nothing to warn about.
  } else if (body.statusCode === 503) {
    // An outage is logged once per request at warn: the cause is the database, not this request.
    logger.warn({ requestId: body.requestId, err: error, method: request.method, url: redactUrl(request.url) }, 'database unavailable');
  } else if (body.statusCode >= 500) {
    logger.error({ requestId: body.requestId, err: error, method: request.method, url: redactUrl(request.url) }, 'request failed');
  }
  if (body.statusCode === 429 && error && typeof error === 'object' && 'retryAfterSeconds' in error) {
    reply.header('retry-after', String((error as { retryAfterSeconds: number }).retryAfterSeconds));
  }
  void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
}
