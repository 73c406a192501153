import { ValidationError } from './errors/domain-error';

/** Opaque page cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === arity && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value;
  } catch {
    // fall through
  }
  throw new ValidationError('The cursor is not one this API gave out: pass nextCursor from the previous page, unchanged.', undefined, 'INVALID_CURSOR');
}
