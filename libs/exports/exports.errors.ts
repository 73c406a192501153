import { declareErrors, DomainError } from '../core';

export const EXPORTS_ERRORS = declareErrors('exports', {
  EVIDENCE_PACK_NOT_FOUND: { status: 404, meaning: 'No such evidence pack in this tenant. GET .../evidence-packs lists them.' },
  EVIDENCE_PACK_NOT_READY: {
    status: 409,
    meaning: 'The pack is still being built, or its build failed (`details.state`); poll GET .../evidence-packs/:id until it is ready.',
  },
  EVIDENCE_PACK_EXPIRED: { status: 410, meaning: 'The pack passed its expiry and its file was deleted; request a new one.' },
  RANGE_NOT_SATISFIABLE: { status: 416, meaning: 'The Range header asks for bytes outside the file; `details.size` gives its size.' },
  PACK_UNREADABLE: {
    status: 422,
    meaning: 'The uploaded file is neither an evidence pack (ZIP with manifest.json) nor a pack manifest (JSON); send one of them.',
  },
  CALENDAR_FEED_NOT_FOUND: { status: 404, meaning: 'No such calendar feed (unknown or revoked token, or a feed that is not yours).' },
});

export class EvidencePackNotFoundError extends DomainError {
  constructor() {
    super(EXPORTS_ERRORS.EVIDENCE_PACK_NOT_FOUND, 'No such evidence pack in this tenant.');
  }
}

export class EvidencePackNotReadyError extends DomainError {
  constructor(state: string) {
    super(
      EXPORTS_ERRORS.EVIDENCE_PACK_NOT_READY,
      state === 'failed'
        ? 'The pack could not be built (see its error); request a new one.'
        : 'The pack is not built yet; try again shortly.',
      { state },
    );
  }
}

export class EvidencePackExpiredError extends DomainError {
  constructor() {
    super(EXPORTS_ERRORS.EVIDENCE_PACK_EXPIRED, 'The pack has expired and its file was deleted; request a new one.');
  }
}

export class RangeNotSatisfiableError extends DomainError {
  constructor(size: number) {
    super(EXPORTS_ERRORS.RANGE_NOT_SATISFIABLE, `The requested range is outside the file (${size} bytes).`, { size });
  }
}

export class PackUnreadableError extends DomainError {
  constructor(why: string) {
    super(EXPORTS_ERRORS.PACK_UNREADABLE, `The upload is not an evidence pack or a pack manifest: ${why}.`);
  }
}

export class CalendarFeedNotFoundError extends DomainError {
  constructor() {
    super(EXPORTS_ERRORS.CALENDAR_FEED_NOT_FOUND, 'No such calendar feed.');
  }
}
