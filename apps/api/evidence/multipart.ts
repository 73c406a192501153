import { Readable } from 'node:stream';
import multipart, { type Multipart, type MultipartFile, type MultipartValue } from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { CORE_ERRORS, DomainError, ValidationError, type AppConfig } from '../../../libs/core';
import { EVIDENCE_ERRORS, EvidenceTooLargeError, EvidenceUploadIncompleteError, type FileFields } from '../../../libs/evidence';
import { HTTP_ERRORS } from '../http/http.errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads a multipart/form-data body (`@RouteConfig({ multipart: true })`). */
    multipart?: boolean;
  }
}

/** The form fields a file upload may carry besides `file`. */
const FIELDS = ['description'] as const;
const FIELD_MAX_BYTES = 16 * 1024;
/** How much of an upload each parsing stage may hold while the next one is busy. */
const PARSER_BUFFER_BYTES = 1024 * 1024;

/**
 * Multipart parsing for file uploads (@fastify/multipart, streaming: nothing is buffered whole).
 * Only routes that opt in with `@RouteConfig({ multipart: true })` take multipart bodies; the
 * others still answer 415 to them, as before.
 */
export async function registerMultipart(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  await app.register(multipart, {
    // busboy's buffers (its input, and the file part's stream): 16 KiB by default, which paused
    // the request on every socket read of a large upload while storage wrote the chunk before.
    highWaterMark: PARSER_BUFFER_BYTES,
    fileHwm: PARSER_BUFFER_BYTES,
    limits: {
      files: 1,
      fields: FIELDS.length + 2,
      parts: FIELDS.length + 3,
      fieldNameSize: 100,
      fieldSize: FIELD_MAX_BYTES,
      headerPairs: 20,
      // One byte over the limit: the evidence inspector counts and answers 413 itself.
      fileSize: config.evidence.maxBytes + 1,
    },
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preValidation', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      if (request.isMultipart() && request.routeOptions.config.multipart !== true) {
        done(
          new DomainError(
            HTTP_ERRORS.UNSUPPORTED_MEDIA_TYPE,
            'Send the body as application/json: this endpoint takes no multipart/form-data.',
          ),
        );
        return;
      }
      done();
    });
}

/** @fastify/multipart's own failures, as our errors. */
function multipartError(error: unknown, maxBytes: number): unknown {
  if (error instanceof DomainError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : '';
  switch (code) {
    case 'FST_FILES_LIMIT':
      return new ValidationError('Send one file per request (in the part named "file").', undefined, EVIDENCE_ERRORS.EVIDENCE_ONE_FILE);
    case 'FST_REQ_FILE_TOO_LARGE':
      return new EvidenceTooLargeError(maxBytes);
    case 'FST_PROTO_VIOLATION':
      return new ValidationError(
        `A form field name is not accepted: send "file" and, optionally, ${FIELDS.map((f) => `"${f}"`).join(', ')}.`,
        undefined,
        CORE_ERRORS.VALIDATION_FAILED,
      );
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new ValidationError(
        `The form has too many parts: send "file" and, optionally, ${FIELDS.map((f) => `"${f}"`).join(', ')}.`,
        undefined,
        HTTP_ERRORS.MALFORMED_MULTIPART,
      );
    default:
      return new ValidationError('The multipart/form-data body is malformed or incomplete.', undefined, HTTP_ERRORS.MALFORMED_MULTIPART);
  }
}

function unknownField(name: string): ValidationError {
  return new ValidationError(
    `The form field "${name}" is not accepted: send "file" and, optionally, ${FIELDS.map((f) => `"${f}"`).join(', ')}.`,
    [{ field: name, problems: [`property ${name} should not exist`] }],
  );
}

function takeField(fields: { description?: string }, part: MultipartValue): void {
  if (part.fieldname !== 'description') throw unknownField(part.fieldname);
  if (fields.description !== undefined)
    throw new ValidationError('description is sent twice.', [{ field: 'description', problems: ['description must be sent once'] }]);
  if (part.valueTruncated)
    throw new ValidationError('description is too long.', [{ field: 'description', problems: ['description must be shorter'] }]);
  if (typeof part.value !== 'string')
    throw new ValidationError('description must be text.', [{ field: 'description', problems: ['description must be a string'] }]);
  fields.description = part.value;
}

/**
 * The file part's bytes, with its failure kept until someone reads. The parser destroys the part's
 * stream as soon as the body ends without its closing boundary, or the client goes away; that can
 * happen while the task is still being checked, before anyone listens, and a stream destroyed
 * before it is piped never says anything: the request would hang. This stream reports the failure
 * to whoever starts reading it.
 */
export class UploadStream extends Readable {
  private failure: Error | null = null;
  private ended = false;

  constructor(private readonly source: Readable) {
    // Room for several of the parser's chunks: the part is not paused on every chunk while
    // storage writes the one before.
    super({ highWaterMark: PARSER_BUFFER_BYTES });
    source.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) source.pause();
    });
    source.on('end', () => {
      this.ended = true;
      this.push(null);
    });
    // Whatever went wrong (truncated form, premature close), the file did not arrive whole.
    source.on('error', () => this.fail());
    source.on('close', () => {
      if (!this.ended) this.fail();
    });
    if (source.destroyed || source.errored) this.fail();
  }

  override _read(): void {
    if (this.failure) this.destroy(this.failure);
    else this.source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.source.destroyed) this.source.destroy();
    callback(error);
  }

  private fail(): void {
    if (this.failure || this.ended) return;
    this.failure = new EvidenceUploadIncompleteError();
    // Someone reads already: tell them now; otherwise the first read does.
    if (this.readableFlowing === true) this.destroy(this.failure);
  }
}

/** The file part of an upload, and a reader for the fields that follow it. */
export interface MultipartUpload {
  readonly file: MultipartFile;
  /** The file's bytes (use this, not file.file: see UploadStream). */
  readonly stream: UploadStream;
  /** Reads the rest of the form (after the file has been read whole). */
  readonly rest: () => Promise<FileFields>;
}

/**
 * Reads a multipart body up to its file part (fields before it are kept), leaving the file's
 * stream unread for the caller to stream on.
 */
export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<MultipartUpload> {
  const parts = request.parts();
  const fields: { description?: string } = {};
  const next = async (): Promise<IteratorResult<Multipart, undefined>> => {
    try {
      return (await parts.next()) as IteratorResult<Multipart, undefined>;
    } catch (error) {
      throw multipartError(error, maxBytes);
    }
  };
  for (;;) {
    const { value, done } = await next();
    if (done)
      throw new ValidationError(
        'The form has no file: send it in a part named "file".',
        [{ field: 'file', problems: ['file is required'] }],
        EVIDENCE_ERRORS.EVIDENCE_FILE_MISSING,
      );
    if (value.type === 'file') {
      if (value.fieldname !== 'file') {
        value.file.resume();
        throw unknownField(value.fieldname);
      }
      const file = value;
      const stream = new UploadStream(file.file);
      const rest = async (): Promise<FileFields> => {
        for (;;) {
          const after = await next();
          if (after.done) return fields;
          if (after.value.type === 'file') {
            after.value.file.resume();
            throw new ValidationError(
              'Send one file per request (in the part named "file").',
              undefined,
              EVIDENCE_ERRORS.EVIDENCE_ONE_FILE,
            );
          }
          takeField(fields, after.value);
        }
      };
      return { file, stream, rest };
    }
    takeField(fields, value);
  }
}
