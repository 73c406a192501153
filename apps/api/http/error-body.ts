import { HttpException } from '@nestjs/common';
import { CORE_ERRORS, DomainError } from '../../../libs/core';
import { TENANCY_ERRORS } from '../../../libs/tenancy';
import { HTTP_ERRORS } from './http.errors';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
  requestId: string;
}

// Nest's and Fastify's own HTTP errors carry only a status: the declared code for it.
const CODE_BY_STATUS: Record<number, string> = Object.fromEntries(
  [
    HTTP_ERRORS.BAD_REQUEST,
    HTTP_ERRORS.NOT_FOUND,
    HTTP_ERRORS.METHOD_NOT_ALLOWED,
    HTTP_ERRORS.NOT_ACCEPTABLE,
    HTTP_ERRORS.CONFLICT,
    HTTP_ERRORS.PAYLOAD_TOO_LARGE,
    HTTP_ERRORS.URI_TOO_LONG,
    HTTP_ERRORS.UNSUPPORTED_MEDIA_TYPE,
    HTTP_ERRORS.UNPROCESSABLE,
    // The rate limiter is tenancy's (libs/tenancy/rate-limit.service.ts); its code serves any 429.
    TENANCY_ERRORS.RATE_LIMITED,
  ].map((e) => [e.status, e.code]),
);
// Statuses only the auth layer produces without a DomainError.
CODE_BY_STATUS[CORE_ERRORS.UNAUTHENTICATED.status] = CORE_ERRORS.UNAUTHENTICATED.code;
CODE_BY_STATUS[CORE_ERRORS.FORBIDDEN.status] = CORE_ERRORS.FORBIDDEN.code;

// Fastify's own errors (raised before a handler runs), by their code.
const FASTIFY_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: HTTP_ERRORS.UNSUPPORTED_MEDIA_TYPE.code,
    message: 'Send the body as application/json (or multipart/form-data where a file is expected).',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: HTTP_ERRORS.PAYLOAD_TOO_LARGE.code,
    message: 'The request body is larger than this endpoint accepts.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: HTTP_ERRORS.MALFORMED_JSON.code,
    message: 'The body is empty but Content-Type says JSON: send a JSON object, or no Content-Type.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: HTTP_ERRORS.MALFORMED_JSON.code, message: 'The body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: HTTP_ERRORS.BAD_REQUEST.code, message: 'Content-Length does not match the body.' },
  FST_ERR_BAD_URL: { code: HTTP_ERRORS.BAD_URL.code, message: 'The URL is not valid (check its percent-encoding).' },
  FST_ERR_MAX_PARAM_LENGTH: { code: HTTP_ERRORS.URI_TOO_LONG.code, message: 'A path parameter is longer than any valid value.' },
};

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

// Connection-level failures of Postgres (and TypeORM's words for a connection lost mid-transaction:
// it releases the query runner when its connection dies, and the next statement reports that), by SQLSTATE class 08 (connection), 57P (operator
// intervention: shutdown, crash recovery), 53300 (too many connections), and by node errno.
const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '53300',
  '57P01',
  '57P02',
  '57P03',
]);
const DB_DOWN_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Client was closed|Cannot use a pool after calling end|connection provided by a query runner was already released|Query runner already released/i;

/** True for errors that mean "the database is unreachable or frozen", not "the query is wrong". */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  // Duck-typed: errors raised by node's own modules may come from another realm (jest's sandbox),
  // where `instanceof Error` is false.
  if (typeof error !== 'object' || error === null || typeof (error as { message?: unknown }).message !== 'string' || depth > 3)
    return false;
  const e = error as Error & { code?: unknown; driverError?: unknown };
  if (typeof e.code === 'string' && (DB_DOWN_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  // statement_timeout (57014 query_canceled) fires when the server is alive but too slow.
  if (e.code === '57014' && /statement timeout/i.test(e.message)) return true;
  if (DB_DOWN_MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.driverError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}

/** Seconds a client should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** Maps anything thrown while serving a request to the one error body clients see. */
export function toErrorBody(error: unknown, requestId: string): ErrorBody {
  if (error instanceof DomainError) {
    return {
      statusCode: error.status,
      code: error.code,
      message: error.message,
      ...(error.details !== undefined ? { details: error.details } : {}),
      requestId,
    };
  }
  if (error instanceof HttpException) {
    const statusCode = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : typeof (response as { message?: unknown }).message === 'string'
          ? (response as { message: string }).message
          : error.message;
    if (statusCode === 404 && /^Cannot [A-Z]+ /.test(message)) {
      return {
        statusCode,
        code: HTTP_ERRORS.ROUTE_NOT_FOUND.code,
        message: `${message}: no such endpoint. The API is described at /docs.`,
        requestId,
      };
    }
    return {
      statusCode,
      code: CODE_BY_STATUS[statusCode] ?? (statusCode >= 500 ? HTTP_ERRORS.INTERNAL_ERROR.code : HTTP_ERRORS.BAD_REQUEST.code),
      message,
      requestId,
    };
  }
  const f = (error ?? {}) as FastifyLikeError;
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    const known = f.code ? FASTIFY_ERRORS[f.code] : undefined;
    if (known) return { statusCode: f.statusCode, code: known.code, message: known.message, requestId };
    // JSON.parse errors surface as SyntaxError with statusCode 400.
    if (error instanceof SyntaxError)
      return { statusCode: 400, code: HTTP_ERRORS.MALFORMED_JSON.code, message: 'The body is not valid JSON.', requestId };
    return {
      statusCode: f.statusCode,
      code: CODE_BY_STATUS[f.statusCode] ?? HTTP_ERRORS.BAD_REQUEST.code,
      message: f.message ?? 'Bad request.',
      requestId,
    };
  }
  if (isDatabaseUnavailable(error))
    return {
      statusCode: 503,
      code: HTTP_ERRORS.DATABASE_UNAVAILABLE.code,
      message: `The database is unavailable right now: retry in ${RETRY_AFTER_SECONDS} seconds. If it lasts, report request id ${requestId}.`,
      requestId,
    };
  return {
    statusCode: 500,
    code: HTTP_ERRORS.INTERNAL_ERROR.code,
    message: `Something went wrong on our side. Retry later; if it persists, report request id ${requestId}.`,
    requestId,
  };
}
