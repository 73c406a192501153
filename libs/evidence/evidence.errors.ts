import { DomainError, NotFoundError, ValidationError } from '../core';

export class EvidenceNotFoundError extends NotFoundError {
  constructor() {
    super('EVIDENCE_NOT_FOUND', "No such evidence in this tenant. GET .../tasks/:taskId lists a task's evidence.");
  }
}

export class EvidenceHasNoFileError extends NotFoundError {
  constructor(kind: string) {
    super('EVIDENCE_NO_FILE', `This evidence is a ${kind}: it has no file to download. GET .../evidence/:evidenceId shows it.`, { kind });
  }
}

export class EvidenceTooLargeError extends DomainError {
  constructor(maxBytes: number) {
    super('EVIDENCE_TOO_LARGE', `The file is larger than the ${maxBytes} bytes allowed. Split it or compress it.`, 413, { maxBytes });
  }
}

export class EvidenceEmptyError extends ValidationError {
  constructor() {
    super('The file is empty: there is nothing to keep as evidence.', undefined, 'EVIDENCE_EMPTY');
  }
}

export class EvidenceTypeNotAllowedError extends DomainError {
  constructor(detected: string, reason: string, allowed: readonly string[]) {
    super(
      'EVIDENCE_TYPE_NOT_ALLOWED',
      `${reason} Accepted: documents (PDF, Office, OpenDocument), images (PNG, JPEG, GIF, WebP, TIFF), archives (zip, gzip, 7z, tar) and plain text (UTF-8: text, CSV, Markdown, JSON).`,
      415,
      {
        detected,
        allowed,
      },
    );
  }
}

/** The upload stopped before the file arrived whole (client went away, malformed multipart). */
export class EvidenceUploadIncompleteError extends ValidationError {
  constructor() {
    super(
      'The file did not arrive whole (the upload was interrupted or the multipart body is malformed). Send it again.',
      undefined,
      'EVIDENCE_UPLOAD_INCOMPLETE',
    );
  }
}

export class EvidenceLinkInvalidError extends ValidationError {
  constructor(why: string) {
    super(
      `The link is not accepted: ${why}. Send an http:// or https:// URL of at most 2048 characters.`,
      undefined,
      'EVIDENCE_LINK_INVALID',
    );
  }
}

/** The stored bytes no longer match what was received: never served. */
export class EvidenceCorruptError extends DomainError {
  constructor(readonly reason: 'missing' | 'size' | 'sha256') {
    super(
      'EVIDENCE_CORRUPT',
      'The stored file no longer matches the checksum recorded when it was submitted, so it is not served. An administrator has been alerted through the logs; report the request id.',
      500,
    );
  }
}

export class EvidenceStorageUnavailableError extends DomainError {
  constructor() {
    super('EVIDENCE_STORAGE_UNAVAILABLE', 'The evidence storage cannot be reached right now; nothing was saved. Retry later.', 503);
  }
}
