import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../../../libs/core';
import { HTTP_ERRORS } from '../http/http.errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes RFC 8058 one-click bodies (`List-Unsubscribe=One-Click`, form-encoded). */
    oneClickUnsubscribe?: boolean;
  }
}

const ONE_CLICK_MAX_BYTES = 1024;

/**
 * Mail clients send one-click unsubscribes as `application/x-www-form-urlencoded` POSTs. Only
 * routes that opt in (`@RouteConfig({ oneClickUnsubscribe: true })`) read such a body, and they
 * ignore what it says: the signed token in the URL is the whole request. Every other route keeps
 * answering 415 to form bodies.
 */
@Injectable()
export class OneClickFormParser implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    if (fastify.hasContentTypeParser('application/x-www-form-urlencoded')) return;
    fastify.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: ONE_CLICK_MAX_BYTES },
      (request: FastifyRequest, _body, done) => {
        if (request.routeOptions.config.oneClickUnsubscribe === true) done(null, {});
        else done(new DomainError(HTTP_ERRORS.UNSUPPORTED_MEDIA_TYPE, 'Send the body as application/json.'));
      },
    );
  }
}
