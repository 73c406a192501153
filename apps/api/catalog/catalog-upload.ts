import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { CATALOG_ERRORS, IMPORT_LIMITS } from '../../../libs/catalog';
import { DomainError, ValidationError } from '../../../libs/core';
import { HTTP_ERRORS } from '../http/http.errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads a catalog file as a text/markdown or text/csv body (`@RouteConfig({ catalogText: true })`). */
    catalogText?: boolean;
  }
}

/** Media types a catalog file may be sent as, besides multipart/form-data. */
export const CATALOG_TEXT_TYPES = ['text/markdown', 'text/csv', 'text/x-markdown'] as const;

/** One byte over the importer's limit: the importer refuses such a file with its line-free error. */
const BODY_LIMIT = IMPORT_LIMITS.maxBytes + 1;

const tooLarge = (): DomainError =>
  new DomainError(CATALOG_ERRORS.CATALOG_IMPORT_TOO_LARGE, `A catalog file may be at most ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB.`, {
    maxBytes: IMPORT_LIMITS.maxBytes,
  });

/**
 * text/markdown and text/csv bodies as raw bytes (the importer decodes and checks them), with the
 * catalog size limit instead of the API's JSON one. Only routes that opt in take them; the others
 * still answer 415, as before.
 */
export function registerCatalogText(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addContentTypeParser([...CATALOG_TEXT_TYPES], { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    done(null, body);
  });
  fastify.addHook('preValidation', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if ((CATALOG_TEXT_TYPES as readonly string[]).includes(type) && request.routeOptions.config.catalogText !== true) {
      done(new DomainError(HTTP_ERRORS.UNSUPPORTED_MEDIA_TYPE, 'Send the body as application/json.'));
      return;
    }
    done();
  });
}

const malformed = (): DomainError =>
  new DomainError(
    CATALOG_ERRORS.CATALOG_IMPORT_MALFORMED,
    'The multipart/form-data body is malformed or incomplete: send one part, "file".',
  );

/** The catalog file of an import request: the multipart part `file`, or the text body. */
export async function readCatalogFile(request: FastifyRequest, body: unknown): Promise<{ bytes: Buffer; fileName: string }> {
  if (request.isMultipart()) {
    let part;
    try {
      part = await request.file({ limits: { fileSize: BODY_LIMIT, files: 1, fields: 0, parts: 1 } });
    } catch {
      throw malformed();
    }
    if (!part || part.fieldname !== 'file')
      throw new ValidationError('Send the catalog file in the form part named "file".', [
        { field: 'file', problems: ['file is required'] },
      ]);
    try {
      const bytes = await part.toBuffer();
      return { bytes, fileName: part.filename || 'upload' };
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : '';
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
      throw malformed();
    }
  }
  if (Buffer.isBuffer(body)) {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    return { bytes: body, fileName: type === 'text/csv' ? 'upload.csv' : 'upload.md' };
  }
  throw new DomainError(
    CATALOG_ERRORS.CATALOG_IMPORT_UNSUPPORTED,
    'Send the catalog file as multipart/form-data (part "file"), or as a text/markdown or text/csv body.',
  );
}
