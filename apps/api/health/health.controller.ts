import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HTTP_ERRORS } from '../http/http.errors';
import { ApiErrors } from '../openapi/api-errors';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import { Public } from '../../../libs/core';
import type { EmbeddedPostgresHandle } from '../../../libs/db';

/** The embedded Postgres this process supervises (absent with DATABASE_URL). */
export const EMBEDDED_POSTGRES = Symbol('EMBEDDED_POSTGRES');

interface ReadyBody {
  status: 'ok' | 'unavailable';
  checks: { database: 'ok' | 'unreachable'; migrations: 'ok' | 'pending' | 'unknown' };
}

/** Container probes usually give up after 4-5 s: answer before that. */
const READY_DEADLINE_MS = 3000;

async function withDeadline(ms: number, fn: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('health')
@Public()
// The probes take no input: only what any URL can get wrong applies.
@ApiErrors(HTTP_ERRORS.INVALID_CHARACTER)
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Optional() @Inject(EMBEDDED_POSTGRES) private readonly embedded?: EmbeddedPostgresHandle | null,
  ) {}

  /**
   * The process can serve, or will again by itself: 200 while an embedded Postgres that died is
   * being restarted, 503 once restarting it failed (the process then stops with exit 1).
   */
  @Get('live')
  @ApiOperation({ summary: 'Liveness probe', description: 'The process can serve, or will again by itself.' })
  @ApiOkResponse({ description: 'The process is up.' })
  @ApiServiceUnavailableResponse({ description: 'The embedded Postgres is gone for good; the process is stopping.' })
  live(@Res({ passthrough: true }) reply: FastifyReply): { status: 'ok' | 'failed'; database?: string } {
    const state = this.embedded?.state;
    if (state === 'failed' || state === 'stopped') {
      void reply.status(503);
      return { status: 'failed', database: state };
    }
    return state === undefined ? { status: 'ok' } : { status: 'ok', database: state };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness probe', description: 'The database answers (within 3 s) and every migration is applied.' })
  @ApiOkResponse({ description: 'The database answers and every migration is applied.' })
  @ApiServiceUnavailableResponse({ description: 'Not ready: see checks.' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadyBody> {
    const body: ReadyBody = { status: 'ok', checks: { database: 'ok', migrations: 'ok' } };
    try {
      // Bounded: a frozen database answers "unreachable" within the probe's own time, not after
      // the pool's connection and statement timeouts.
      await withDeadline(READY_DEADLINE_MS, async () => {
        await this.ds.query('SELECT 1');
        body.checks.migrations = (await this.ds.showMigrations()) ? 'pending' : 'ok';
      });
    } catch {
      if (body.checks.database === 'ok' && body.checks.migrations === 'ok') {
        body.checks.database = 'unreachable';
        body.checks.migrations = 'unknown';
      }
    }
    if (body.checks.database !== 'ok' || body.checks.migrations !== 'ok') {
      body.status = 'unavailable';
      void reply.status(503);
    }
    return body;
  }
}
