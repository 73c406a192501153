import type { CatalogDefinition } from '../catalog.loader';

/**
 * A cell as CSV: quoted when it holds a delimiter, a quote, a line break or edge spaces. A cell
 * a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`, which
 * spreadsheets show as text and the CSV reader drops again.
 */
function cell(value: string): string {
  const text = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A catalog as CSV (CRLF lines): what the CSV importer reads back into the same catalog. The
 * last columns (raw, certain, source) carry how the letters were read, for a faithful round trip.
 */
export function catalogToCsv(catalog: Pick<CatalogDefinition, 'parties' | 'sections' | 'activities'>): string {
  const header = [
    'key',
    'section',
    'section title',
    'phase',
    'activity',
    ...catalog.parties,
    'cadence',
    'optional',
    'note',
    'raw',
    'certain',
    'source',
  ];
  const lines = [header.map(cell).join(',')];
  for (const a of catalog.activities) {
    const section = catalog.sections.find((s) => s.key === a.section);
    lines.push(
      [
        a.key,
        a.section,
        section?.title ?? '',
        a.phase,
        a.title,
        ...catalog.parties.map((p) => a.raci[p] ?? ''),
        a.cadence ?? '',
        a.optional ? 'yes' : '',
        a.note ?? '',
        a.raw,
        a.certain ? 'yes' : 'no',
        a.source,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
