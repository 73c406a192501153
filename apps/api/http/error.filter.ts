import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../../libs/core';
import { toErrorBody } from './error-body';

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

export function sendError(logger: Logger, error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const body = toErrorBody(error, request.id);
  if (body.statusCode >= 500) {
    logger.error({ requestId: body.requestId, err: error, method: request.method, url: request.url }, 'request failed');
  }
  if (body.statusCode === 429 && error && typeof error === 'object' && 'retryAfterSeconds' in error) {
    reply.header('retry-after', String((error as { retryAfterSeconds: number }).retryAfterSeconds));
  }
  void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
}
