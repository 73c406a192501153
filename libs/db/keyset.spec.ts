import { decodeCursor, encodeCursor } from '../core';
import { keysetClause, keysetPage, type Keyset } from './keyset';

interface Row {
  due: string;
  id: string;
}
const KEYSET: Keyset<Row> = { columns: ['t.due', 't.id'], parts: ['date', 'uuid'], casts: ['date', 'uuid'], keyOf: (r) => [r.due, r.id] };
const ID = '0b8f7d5e-6c1a-4a5e-9a0c-2d1f3e4b5c6d';

describe('keyset paging', () => {
  it('has no condition on the first page and asks for one row more', () => {
    const params: unknown[] = ['tenant'];
    expect(keysetClause(KEYSET, undefined, 50, params)).toEqual({ where: null, orderBy: 't.due, t.id', limit: 51 });
    expect(params).toEqual(['tenant']);
  });

  it('turns a cursor into a row comparison after the existing parameters', () => {
    const params: unknown[] = ['tenant'];
    const clause = keysetClause(KEYSET, encodeCursor(['2026-01-31', ID]), 10, params);
    expect(clause.where).toBe('(t.due, t.id) > ($2::date, $3::uuid)');
    expect(params).toEqual(['tenant', '2026-01-31', ID]);
  });

  it('refuses a cursor of another shape with INVALID_CURSOR', () => {
    for (const cursor of [encodeCursor([1, ID]), 'garbage']) {
      let code: unknown;
      try {
        keysetClause(KEYSET, cursor, 10, []);
      } catch (error) {
        code = (error as { code?: unknown }).code;
      }
      expect(code).toBe('INVALID_CURSOR');
    }
  });

  it('gives a next cursor only when there is one more row than the page', () => {
    const rows = [
      { due: '2026-01-01', id: ID },
      { due: '2026-01-02', id: ID },
    ];
    const full = keysetPage(KEYSET, rows, 1);
    expect(full.items).toEqual([rows[0]]);
    expect(decodeCursor(full.nextCursor!, ['date', 'uuid'])).toEqual(['2026-01-01', ID]);
    expect(keysetPage(KEYSET, rows, 2, (r) => r.due)).toEqual({ items: ['2026-01-01', '2026-01-02'], nextCursor: null });
  });
});
