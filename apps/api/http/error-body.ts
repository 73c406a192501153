import { HttpException } from '@nestjs/common';
import { CORE_ERRORS, DomainError } from '../../../libs/core';
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
    HTTP_ERRORS.RATE_LIMITED,
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
  return {
    statusCode: 500,
    code: HTTP_ERRORS.INTERNAL_ERROR.code,
    message: `Something went wrong on our side. Retry later; if it persists, report request id ${requestId}.`,
    requestId,
  };
}
