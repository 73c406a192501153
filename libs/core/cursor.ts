import { ValidationError } from './errors/domain-error';
import { CORE_ERRORS } from './errors/error-codes';
import { isUuid } from './values';

export type CursorPart = 'string' | 'uuid' | 'date' | 'number';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const fits = (part: CursorPart, v: unknown): boolean => {
  switch (part) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'uuid':
      return typeof v === 'string' && isUuid(v);
    case 'date':
      return typeof v === 'string' && DATE.test(v) && !Number.isNaN(Date.parse(v));
    case 'string':
      return typeof v === 'string' && v.length <= 500;
  }
};

/** Opaque page cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor whose parts must have the given shapes, or answers 400 INVALID_CURSOR. */
export function decodeCursor(cursor: string, shape: readonly CursorPart[]): (string | number)[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === shape.length && shape.every((part, i) => fits(part, value[i])))
      return value as (string | number)[];
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/** 400 INVALID_CURSOR: the one answer to a cursor this API did not give out, whatever its format. */
export class InvalidCursorError extends ValidationError {
  constructor() {
    super(
      'The cursor is not one this API gave out: pass nextCursor from the previous page, unchanged.',
      undefined,
      CORE_ERRORS.INVALID_CURSOR,
    );
  }
}
