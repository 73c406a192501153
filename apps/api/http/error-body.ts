import { HttpException } from '@nestjs/common';
import { DomainError } from '../../../libs/core';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
  requestId: string;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
};

// Fastify's own errors (raised before a handler runs), by their code.
const FASTIFY_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the body as application/json (or multipart/form-data where a file is expected).',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than this endpoint accepts.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'MALFORMED_JSON',
    message: 'The body is empty but Content-Type says JSON: send a JSON object, or no Content-Type.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', message: 'The body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', message: 'Content-Length does not match the body.' },
  FST_ERR_BAD_URL: { code: 'BAD_URL', message: 'The URL is not valid (check its percent-encoding).' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URI_TOO_LONG', message: 'A path parameter is longer than any valid value.' },
};

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

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
      return { statusCode, code: 'ROUTE_NOT_FOUND', message: `${message}: no such endpoint. The API is described at /docs.`, requestId };
    }
    return { statusCode, code: CODE_BY_STATUS[statusCode] ?? (statusCode >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'), message, requestId };
  }
  const f = (error ?? {}) as FastifyLikeError;
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    const known = f.code ? FASTIFY_ERRORS[f.code] : undefined;
    if (known) return { statusCode: f.statusCode, code: known.code, message: known.message, requestId };
    // JSON.parse errors surface as SyntaxError with statusCode 400.
    if (error instanceof SyntaxError) return { statusCode: 400, code: 'MALFORMED_JSON', message: 'The body is not valid JSON.', requestId };
    return {
      statusCode: f.statusCode,
      code: CODE_BY_STATUS[f.statusCode] ?? 'BAD_REQUEST',
      message: f.message ?? 'Bad request.',
      requestId,
    };
  }
  return {
    statusCode: 500,
    code: 'INTERNAL_ERROR',
    message: `Something went wrong on our side. Retry later; if it persists, report request id ${requestId}.`,
    requestId,
  };
}
