import http from 'node:http';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, METRICS_SINK, type AppConfig, type Logger, type MetricsSink } from '../../libs/core';
import { JOB_SCHEMA } from '../../libs/db';
import { evidenceUsage, type EvidenceUsage } from '../../libs/evidence';
import { notificationCountsByStatus } from '../../libs/reminders';
import { errorCodeOf } from '../api/http/error.filter';
import { HTTP_ERRORS } from '../api/http/http.errors';

const METRICS_LOGGER = Symbol('METRICS_LOGGER');

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Prometheus metrics of one process (api, worker, or both under `npm start`), served on
 * METRICS_PORT only — never on the public port. Values that live in the database (job queue
 * depth) are read when Prometheus scrapes, so an idle process does no work for them.
 */
@Injectable()
export class Metrics implements MetricsSink, OnApplicationBootstrap, OnApplicationShutdown {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'dutybook_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly databaseUnavailable = new Counter({
    name: 'dutybook_database_unavailable_total',
    help: 'Requests answered 503 DATABASE_UNAVAILABLE.',
    registers: [this.registry],
  });
  readonly rateLimitRefusals = new Counter({
    name: 'dutybook_rate_limit_refusals_total',
    help: 'Requests refused 429 RATE_LIMITED, by limit (login-source, login-account, login-ip, signup, refresh, invitation-*).',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
  private server: http.Server | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS_LOGGER) private readonly logger: Logger,
    @InjectDataSource() private readonly ds: DataSource,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'dutybook_' });
    const pool = (): PgPool | undefined => (this.ds.driver as unknown as { master?: PgPool }).master;
    new Gauge({
      name: 'dutybook_db_pool_connections',
      help: 'Database pool connections by state (in use, idle) and requests waiting for one.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const p = pool();
        if (!p) return;
        this.set({ state: 'in_use' }, p.totalCount - p.idleCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
      },
    });
    const source = this.ds;
    const log = this.logger;
    new Gauge({
      name: 'dutybook_jobs',
      help: 'Background jobs by queue and state (created, retry, active, completed, cancelled, failed).',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          const rows = await source.query<{ name: string; state: string; n: number }[]>(
            `SELECT name, state::text AS state, count(*)::int AS n FROM ${JOB_SCHEMA}.job GROUP BY name, state`,
          );
          for (const r of rows) this.set({ queue: r.name, state: r.state }, r.n);
        } catch (error) {
          // The scrape still answers (process metrics); the gap shows the database is away.
          log.warn({ err: error }, 'metrics: job queue depth not read');
        }
      },
    });
    // Across tenants, through each owning lib's definer function (counts only, no row).
    new Gauge({
      name: 'dutybook_notifications',
      help: 'Reminder mails in the mail log by status (queued, sent, failed, skipped), all tenants.',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const [status, n] of Object.entries(await notificationCountsByStatus(source))) this.set({ status }, n);
        } catch (error) {
          log.warn({ err: error }, 'metrics: notification counts not read');
        }
      },
    });
    // Two series from one query: the registry collects its metrics concurrently, so both gauges
    // share the read in flight.
    let usage: Promise<EvidenceUsage> | undefined;
    const readUsage = (): Promise<EvidenceUsage> =>
      (usage ??= evidenceUsage(source).finally(() => {
        usage = undefined;
      }));
    const usageGauge = (name: string, help: string, pick: (u: EvidenceUsage) => number): Gauge =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.reset();
          try {
            this.set(pick(await readUsage()));
          } catch (error) {
            // Both gauges fail together: one line is enough.
            if (name === 'dutybook_evidence_bytes') log.warn({ err: error }, 'metrics: evidence usage not read');
          }
        },
      });
    usageGauge(
      'dutybook_evidence_bytes',
      'Bytes of evidence files stored, all tenants (committed rows: orphans of crashed uploads are not counted).',
      (u) => u.bytes,
    );
    usageGauge('dutybook_evidence_files', 'Evidence files stored, all tenants.', (u) => u.files);
  }

  rateLimitRefused(limit: string): void {
    this.rateLimitRefusals.inc({ limit });
  }

  /** Times every request by its route pattern (never the raw URL: ids would explode the series). */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      // By code: a 503 may also be SHUTTING_DOWN (a stop) or /health/ready saying "not ready".
      if (errorCodeOf(request) === HTTP_ERRORS.DATABASE_UNAVAILABLE.code) this.databaseUnavailable.inc();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.metricsPort;
    if (port === undefined) return;
    this.server = http.createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (error: unknown) => {
          this.logger.error({ err: error }, 'metrics: scrape failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, this.config.metricsHost, () => resolve());
    });
    const address = this.server.address();
    this.logger.info(
      { port: typeof address === 'object' && address ? address.port : port },
      `metrics on http://${this.config.metricsHost}:${port}/metrics`,
    );
  }

  /** The port the metrics server listens on, once started. */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

@Module({})
export class MetricsModule {
  static forRoot(logger: Logger): DynamicModule {
    // Global: libs take METRICS_SINK (libs/core) without importing this module.
    return {
      global: true,
      module: MetricsModule,
      providers: [Metrics, { provide: METRICS_LOGGER, useValue: logger }, { provide: METRICS_SINK, useExisting: Metrics }],
      exports: [Metrics, METRICS_SINK],
    };
  }
}
