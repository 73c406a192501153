import { declareErrors, DomainError, ValidationError } from '../core';

/** The error codes of libs/evidence: code, HTTP status, meaning (docs/errors.md is generated from it). */
export const EVIDENCE_ERRORS = declareErrors('evidence', {
  EVIDENCE_NOT_FOUND: { status: 404, meaning: "No such evidence in this tenant. GET .../tasks/:taskId lists a task's evidence." },
  EVIDENCE_NO_FILE: { status: 404, meaning: 'The evidence is a link or a note: it has no file to download.' },
  EVIDENCE_TOO_LARGE: { status: 413, meaning: 'The file is larger than EVIDENCE_MAX_BYTES; `details.maxBytes` gives the limit.' },
  EVIDENCE_ONE_FILE: { status: 400, meaning: 'Send one file per request, in the part named `file`.' },
  EVIDENCE_FILE_MISSING: { status: 400, meaning: 'The form has no file: send it in a part named `file`.' },
  EVIDENCE_EMPTY: { status: 400, meaning: 'The file is empty: there is nothing to keep as evidence.' },
  EVIDENCE_TYPE_NOT_ALLOWED: {
    status: 415,
    meaning: 'The media type sniffed from the bytes is not on the allow-list; `details` gives the detected type and the allowed ones.',
  },
  EVIDENCE_UPLOAD_INCOMPLETE: {
    status: 400,
    meaning: 'The upload was interrupted or the multipart body is malformed: send the file again.',
  },
  EVIDENCE_LINK_INVALID: {
    status: 400,
    meaning: 'A link must be an absolute http(s) URL of at most 2048 characters, without credentials.',
  },
  EVIDENCE_CORRUPT: {
    status: 500,
    meaning: 'The stored file no longer matches the sha256 recorded at submission, so it is not served; report the request id.',
  },
  EVIDENCE_STORAGE_UNAVAILABLE: { status: 503, meaning: 'The evidence storage cannot be reached; nothing was saved. Retry later.' },
  EVIDENCE_STORAGE_FULL: {
    status: 507,
    meaning: 'The evidence storage is out of space (or over its quota); nothing was saved. An operator must free or add space.',
  },
});

export class EvidenceNotFoundError extends DomainError {
  constructor() {
    super(EVIDENCE_ERRORS.EVIDENCE_NOT_FOUND, "No such evidence in this tenant. GET .../tasks/:taskId lists a task's evidence.");
  }
}

export class EvidenceHasNoFileError extends DomainError {
  constructor(kind: string) {
    super(
      EVIDENCE_ERRORS.EVIDENCE_NO_FILE,
      `This evidence is a ${kind}: it has no file to download. GET .../evidence/:evidenceId shows it.`,
      { kind },
    );
  }
}

export class EvidenceTooLargeError extends DomainError {
  constructor(maxBytes: number) {
    super(EVIDENCE_ERRORS.EVIDENCE_TOO_LARGE, `The file is larger than the ${maxBytes} bytes allowed. Split it or compress it.`, {
      maxBytes,
    });
  }
}

export class EvidenceEmptyError extends ValidationError {
  constructor() {
    super('The file is empty: there is nothing to keep as evidence.', undefined, EVIDENCE_ERRORS.EVIDENCE_EMPTY);
  }
}

export class EvidenceTypeNotAllowedError extends DomainError {
  constructor(detected: string, reason: string, allowed: readonly string[]) {
    super(
      EVIDENCE_ERRORS.EVIDENCE_TYPE_NOT_ALLOWED,
      `${reason} Accepted: documents (PDF, Office, OpenDocument), images (PNG, JPEG, GIF, WebP, TIFF), archives (zip, gzip, 7z, tar) and plain text (UTF-8: text, CSV, Markdown, JSON).`,
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
      EVIDENCE_ERRORS.EVIDENCE_UPLOAD_INCOMPLETE,
    );
  }
}

export class EvidenceLinkInvalidError extends ValidationError {
  constructor(why: string) {
    super(
      `The link is not accepted: ${why}. Send an http:// or https:// URL of at most 2048 characters.`,
      undefined,
      EVIDENCE_ERRORS.EVIDENCE_LINK_INVALID,
    );
  }
}

/** The stored bytes no longer match what was received: never served. */
export class EvidenceCorruptError extends DomainError {
  constructor(readonly reason: 'missing' | 'size' | 'sha256') {
    super(
      EVIDENCE_ERRORS.EVIDENCE_CORRUPT,
      'The stored file no longer matches the checksum recorded when it was submitted, so it is not served. An administrator has been alerted through the logs; report the request id.',
    );
  }
}

export class EvidenceStorageFullError extends DomainError {
  constructor() {
    super(
      EVIDENCE_ERRORS.EVIDENCE_STORAGE_FULL,
      'The evidence storage is full; nothing was saved. Retrying will not help until an operator frees or adds space.',
    );
  }
}

/** ENOSPC (no space left on the device) or EDQUOT (quota exceeded), from Node's fs or a driver. */
export function isStorageFull(error: unknown): boolean {
  // Not `instanceof Error`: errors from Node's own modules may come from another realm (jest).
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ENOSPC' || error.code === 'EDQUOT');
}

export class EvidenceStorageUnavailableError extends DomainError {
  constructor() {
    super(
      EVIDENCE_ERRORS.EVIDENCE_STORAGE_UNAVAILABLE,
      'The evidence storage cannot be reached right now; nothing was saved. Retry later.',
    );
  }
}
