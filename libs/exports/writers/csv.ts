import { Readable } from 'node:stream';
import { neutralizeFormula, type Cell } from './cells';

/** UTF-8 byte order mark: Excel reads a CSV file as UTF-8 only when it starts with one. */
export const CSV_BOM = '\uFEFF';

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  const text = neutralizeFormula(cell);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated as RFC 4180 says. */
export function csvRecord(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/**
 * A CSV file streamed from rows as they come (pages of a database query): header first, then one
 * record per row; the consumer's pace drives the reads.
 */
export function csvStream(header: readonly string[], rows: AsyncIterable<readonly Cell[]> | Iterable<readonly Cell[]>): Readable {
  async function* lines(): AsyncIterable<string> {
    yield CSV_BOM + csvRecord(header);
    let batch = '';
    for await (const row of rows) {
      batch += csvRecord(row);
      // Chunks of ~64 KiB instead of one tiny chunk per row.
      if (batch.length >= 65536) {
        yield batch;
        batch = '';
      }
    }
    if (batch !== '') yield batch;
  }
  return Readable.from(lines(), { objectMode: false });
}
