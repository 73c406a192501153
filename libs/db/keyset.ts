import { decodeCursor, encodeCursor, type CursorPart } from '../core';

/**
 * Keyset paging, the one implementation every list uses. A list is ordered by a tuple of SQL
 * expressions (ascending, the last one unique, e.g. `(coalesce(t.due_date, '9999-12-31'), t.id)`);
 * the cursor is the last row's values of that tuple; the next page is the rows after it. One row
 * more than the page is asked for, so "is there a next page" costs no count query.
 */
export interface Keyset<Row> {
  /** SQL expressions of the sort key, in order, e.g. ['t.due_date', 't.id']. */
  readonly columns: readonly string[];
  /** Each part's shape, checked when a cursor comes back (400 INVALID_CURSOR otherwise). */
  readonly parts: readonly CursorPart[];
  /** SQL casts for the parameters, e.g. ['date', 'uuid'] (or '' for none). */
  readonly casts: readonly string[];
  /** The sort key of a row, as it goes into the cursor. */
  readonly keyOf: (row: Row) => readonly (string | number)[];
}

export interface KeysetClause {
  /** `(a, b) > ($3::date, $4::uuid)` or null on the first page. */
  readonly where: string | null;
  readonly orderBy: string;
  /** The LIMIT parameter placeholder's value: page size + 1. */
  readonly limit: number;
}

/** The WHERE/ORDER BY/LIMIT parts for a page; pushes its values onto params. */
export function keysetClause<Row>(keyset: Keyset<Row>, cursor: string | undefined, limit: number, params: unknown[]): KeysetClause {
  let where: string | null = null;
  if (cursor !== undefined) {
    const values = decodeCursor(cursor, keyset.parts);
    const placeholders = values.map((value, i) => {
      params.push(value);
      const cast = keyset.casts[i];
      return cast ? `$${params.length}::${cast}` : `$${params.length}`;
    });
    where = `(${keyset.columns.join(', ')}) > (${placeholders.join(', ')})`;
  }
  return { where, orderBy: keyset.columns.join(', '), limit: limit + 1 };
}

/** One page from rows fetched with keysetClause (which asked for one row more than the page). */
export function keysetPage<Row, View = Row>(
  keyset: Keyset<Row>,
  rows: readonly Row[],
  limit: number,
  view: (row: Row) => View = (row) => row as unknown as View,
): { items: View[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(view), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyset.keyOf(last)) : null };
}
