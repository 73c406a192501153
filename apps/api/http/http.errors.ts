import { declareErrors } from '../../../libs/core';

/** Codes the HTTP layer answers before (or around) any lib: parsing, routing, limits, faults. */
export const HTTP_ERRORS = declareErrors('http', {
  BAD_REQUEST: { status: 400, meaning: 'The request is malformed in a way no more specific code covers; the message says what.' },
  MALFORMED_JSON: { status: 400, meaning: 'The body is not one valid JSON object: fix the JSON, or send no Content-Type without a body.' },
  INVALID_CHARACTER: {
    status: 400,
    meaning: 'A string (body, query or form field) holds a NUL character (U+0000), which no field accepts.',
  },
  MALFORMED_MULTIPART: {
    status: 400,
    meaning: 'The multipart/form-data body is malformed, or has more parts or fields than the endpoint takes.',
  },
  BAD_URL: { status: 400, meaning: 'The URL is not valid (check its percent-encoding).' },
  NOT_FOUND: { status: 404, meaning: 'Nothing answers to this identifier.' },
  ROUTE_NOT_FOUND: { status: 404, meaning: 'No endpoint has this method and path: the API is described at /docs.' },
  ORIGIN_NOT_ALLOWED: {
    status: 403,
    meaning: 'A request that uses the session cookie came from a page of another site (its Origin header is not this server).',
  },
  REFRESH_TOKEN_MISSING: { status: 401, meaning: 'Send refreshToken in the body, or call from the console with its session cookie.' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'The path exists but not with this method.' },
  NOT_ACCEPTABLE: { status: 406, meaning: 'The endpoint cannot answer in a format the Accept header allows.' },
  CONFLICT: { status: 409, meaning: 'The request conflicts with the current state; reload and retry.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The body is larger than this endpoint accepts.' },
  URI_TOO_LONG: { status: 414, meaning: 'The URL or a path parameter is longer than any valid value.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'Send the body as application/json (or multipart/form-data where a file is expected).' },
  UNPROCESSABLE: { status: 422, meaning: 'The request is well formed but cannot be carried out; the message says why.' },
  DATABASE_UNAVAILABLE: {
    status: 503,
    meaning: 'The database cannot be reached or did not answer in time: retry after the seconds in Retry-After.',
  },
  SHUTTING_DOWN: {
    status: 503,
    meaning:
      'This server is stopping (a deploy or a restart) and takes no new request: retry after the seconds in Retry-After, on a new connection.',
  },
  INTERNAL_ERROR: {
    status: 500,
    meaning: 'A fault on our side, logged with the request id: retry later, report the request id if it persists.',
  },
});
