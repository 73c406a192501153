import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { DomainError, type Logger } from '../../../libs/core';
import { RETRY_AFTER_SECONDS } from './error-body';
import { sendError } from './error.filter';
import { HTTP_ERRORS } from './http.errors';

export class ShuttingDownError extends DomainError {
  constructor() {
    super(
      HTTP_ERRORS.SHUTTING_DOWN,
      `This server is shutting down and takes no new request: retry in ${RETRY_AFTER_SECONDS} seconds (another instance, or this one once restarted, will answer).`,
    );
  }
}

/**
 * Counts the requests being served and, once a stop has begun, answers every new one 503
 * SHUTTING_DOWN with our error body, `Retry-After` and `Connection: close`, while those already
 * running finish. Fastify's own answer to requests that arrive while closing
 * (`return503OnClosing`) is off: its body has neither our code nor a request id.
 *
 * The listener stays open while requests are in flight (drainHttp in apps/runtime/start.ts): a
 * client, or a load balancer, then gets an answer it can act on rather than a refused connection.
 */
export class ShutdownGate {
  private stopping = false;
  private running = 0;
  private waiters: (() => void)[] = [];

  install(fastify: FastifyInstance, logger: Logger): void {
    fastify.addHook('onRequest', async (request, reply) => {
      if (this.stopping) {
        void reply.header('connection', 'close');
        sendError(logger, new ShuttingDownError(), request, reply);
        return reply;
      }
      this.running += 1;
      let counted = true;
      const done = (): void => {
        if (!counted) return;
        counted = false;
        this.finished();
      };
      // 'finish' when the answer is written, 'close' when the client went away first.
      reply.raw.once('finish', done);
      reply.raw.once('close', done);
      return undefined;
    });
    // app.close() without our ordered stop (tests, a failed start): new requests are refused too.
    fastify.addHook('preClose', (done) => {
      this.begin();
      done();
    });
  }

  /** From now on new requests are answered 503 SHUTTING_DOWN. */
  begin(): void {
    this.stopping = true;
  }

  get draining(): boolean {
    return this.stopping;
  }

  /** Requests being served (those answered 503 by the gate are not counted). */
  get inFlight(): number {
    return this.running;
  }

  /** Resolves once no request is being served. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private finished(): void {
    this.running -= 1;
    if (this.running > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

const gates = new WeakMap<NestFastifyApplication, ShutdownGate>();

export function attachShutdownGate(app: NestFastifyApplication, gate: ShutdownGate): void {
  gates.set(app, gate);
}

/** The gate createApi installed on this app. */
export function shutdownGateOf(app: NestFastifyApplication): ShutdownGate {
  const gate = gates.get(app);
  if (!gate) throw new Error('this app was not made by createApi: it has no shutdown gate');
  return gate;
}
