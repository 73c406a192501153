import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/config.schema';

export type { Logger } from 'pino';

// What an error may show in a log line. Everything else an error object carries stays out: SQL
// parameters (a failed insert carries the row, password hash included), the pg client and its
// connection (pg-boss errors carry ~3.6 KB of them, cancel key included), request bodies.
const ERROR_FIELDS = [
  'type',
  'message',
  'stack',
  'code',
  'errno',
  'syscall',
  'status',
  'statusCode',
  'constraint',
  'table',
  'column',
  'routine',
  'severity',
] as const;

/** The one error serializer of every logger (api, worker, CLI, tests). */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  // Duck-typed: an error from another realm (node internals under jest's sandbox) fails instanceof.
  if (typeof error !== 'object' || error === null || typeof (error as { message?: unknown }).message !== 'string')
    return { type: typeof error, message: typeof error === 'string' ? error : 'non-error value thrown' };
  const source = error as Record<string, unknown> & { cause?: unknown; errors?: unknown };
  const out: Record<string, unknown> = { type: (error as { constructor?: { name?: string } }).constructor?.name ?? 'Error' };
  for (const field of ERROR_FIELDS) {
    const value = field === 'type' ? undefined : source[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  // TypeORM's QueryFailedError: the statement text helps, its parameters never go out.
  if (typeof source.query === 'string') out.query = source.query.slice(0, 500);
  if (source.cause !== undefined && depth < 3) out.cause = serializeError(source.cause, depth + 1);
  if (Array.isArray(source.errors) && depth < 3) out.errors = source.errors.slice(0, 5).map((e) => serializeError(e, depth + 1));
  return out;
}

/** Fields every log line written inside `withLogFields` carries (a worker job's queue, id, request id). */
export interface LogFields {
  readonly [field: string]: string | number | undefined;
}

const logScope = new AsyncLocalStorage<LogFields>();

/**
 * Runs `fn` with `fields` on every log line it writes, through any logger made by `createLogger`
 * (its children included), down to the libs it calls: the worker runs each job in one, so a job
 * started by a request logs that request's id on all its lines (docs/operations.md#logs). Nested
 * scopes add to the outer one. A field given to the log call itself wins over the scope's.
 */
export function withLogFields<T>(fields: LogFields, fn: () => T): T {
  return logScope.run({ ...logScope.getStore(), ...fields }, fn);
}

/** JSON logs on stdout; secrets that may travel in objects are redacted. */
export function createLogger(level: LogLevel, name = 'dutybook', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeError, error: serializeError },
    // A copy: pino merges the line's own fields into the object the mixin returns.
    mixin: () => ({ ...logScope.getStore() }),
    redact: {
      paths: ['password', '*.password', 'req.headers.authorization', 'refreshToken', '*.refreshToken', 'token', '*.token'],
      censor: '[redacted]',
    },
  };
  // Tests pass a destination to read the lines back; otherwise pino's own stdout writer.
  return destination ? pino(options, destination) : pino(options);
}

/** Routes Nest's own messages into the same JSON stream. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
  setLogLevels(_levels: NestLogLevel[]): void {
    // Level comes from LOG_LEVEL only.
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...message });
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}
