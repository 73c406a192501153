/**
 * Error codes are declared as data, one table per lib (`<lib>.errors.ts`): the code clients branch
 * on, the HTTP status the API answers with, and what it means. The API's error catalogue
 * (docs/errors.md) is generated from these tables and checked in CI to be current.
 */
export interface ErrorCode<C extends string = string> {
  readonly code: C;
  readonly status: number;
  /** One sentence for the catalogue: when a client gets it and what to do. */
  readonly meaning: string;
}

export type ErrorTable<T extends Record<string, { status: number; meaning: string }>> = { readonly [K in keyof T & string]: ErrorCode<K> };

/** Declares a lib's error codes: `declareErrors('tasks', { TASK_NOT_FOUND: { status: 404, meaning: '...' } })`. */
export function declareErrors<const T extends Record<string, { status: number; meaning: string }>>(
  lib: string,
  codes: T,
): ErrorTable<T> & { readonly [LIB]: string } {
  const table: Record<string, ErrorCode> = {};
  for (const [code, spec] of Object.entries(codes)) {
    if (!/^[A-Z][A-Z0-9_]+$/.test(code)) throw new Error(`error code ${code} of ${lib}: use UPPER_SNAKE_CASE`);
    if (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599)
      throw new Error(`error code ${code} of ${lib}: bad status`);
    table[code] = Object.freeze({ code, status: spec.status, meaning: spec.meaning });
  }
  return Object.freeze(Object.assign(table, { [LIB]: lib })) as ErrorTable<T> & { readonly [LIB]: string };
}

/** The lib a table was declared by (for the catalogue). */
export const LIB = Symbol('error-table-lib');

/** Codes shared by every lib. */
export const CORE_ERRORS = declareErrors('core', {
  VALIDATION_FAILED: { status: 400, meaning: 'A field is missing, of the wrong type or out of range; `details` names each one.' },
  INVALID_CURSOR: {
    status: 400,
    meaning: 'The page cursor is not one the API gave out: pass `nextCursor` from the previous page unchanged.',
  },
  NOTHING_TO_CHANGE: { status: 400, meaning: 'A PATCH named no field to change; `details.fields` lists those it takes.' },
  UNAUTHENTICATED: { status: 401, meaning: 'No valid access token: sign in (or refresh the token) and retry.' },
  FORBIDDEN: {
    status: 403,
    meaning: 'Your role in this tenant does not allow the action; `details` gives your role and the roles allowed. Ask an admin.',
  },
});
