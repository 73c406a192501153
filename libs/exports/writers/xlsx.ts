import type { Readable } from 'node:stream';
import { ZipWriter } from '../zip/zip-writer';
import { looksLikeFormula, type Cell } from './cells';

/**
 * A one-sheet XLSX workbook (ECMA-376, SpreadsheetML) streamed row by row: the sheet's XML is
 * deflated into the ZIP as the rows arrive, so memory stays flat however many rows there are.
 *
 * Text is written as inline strings: a cell is never a formula, whatever it starts with (there is
 * no `<f>` element). Text that would look like a formula if typed also gets the quote-prefix style,
 * Excel's own mark for "this is text", so editing the cell keeps it text.
 */
export function xlsxStream(
  sheetName: string,
  header: readonly string[],
  rows: AsyncIterable<readonly Cell[]> | Iterable<readonly Cell[]>,
): Readable {
  const zip = new ZipWriter();
  void (async () => {
    try {
      const mtime = new Date();
      const part = (name: string, xml: string): Promise<unknown> => zip.addBuffer(name, xml, { compress: true, mtime });
      await part('[Content_Types].xml', CONTENT_TYPES);
      await part('_rels/.rels', ROOT_RELS);
      await part('xl/workbook.xml', workbook(sheetName));
      await part('xl/_rels/workbook.xml.rels', WORKBOOK_RELS);
      await part('xl/styles.xml', STYLES);
      await zip.addStream('xl/worksheets/sheet1.xml', sheetXml(header, rows), { compress: true, mtime });
      await zip.finish();
    } catch (error) {
      zip.abort(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return zip.output;
}

async function* sheetXml(
  header: readonly string[],
  rows: AsyncIterable<readonly Cell[]> | Iterable<readonly Cell[]>,
): AsyncIterable<Buffer> {
  yield Buffer.from(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${NS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>`,
  );
  let n = 1;
  let batch = row(n, header, true);
  for await (const cells of rows) {
    n += 1;
    batch += row(n, cells, false);
    if (batch.length >= 65536) {
      yield Buffer.from(batch);
      batch = '';
    }
  }
  yield Buffer.from(`${batch}</sheetData></worksheet>`);
}

function row(n: number, cells: readonly Cell[], bold: boolean): string {
  return `<row r="${n}">${cells.map((c, i) => cell(`${column(i)}${n}`, c, bold)).join('')}</row>`;
}

function cell(ref: string, value: Cell, bold: boolean): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? `<c r="${ref}"><v>${value}</v></c>` : '';
  if (typeof value === 'boolean') return `<c r="${ref}" t="b"><v>${value ? 1 : 0}</v></c>`;
  const style = bold ? ' s="2"' : looksLikeFormula(value) ? ' s="1"' : '';
  return `<c r="${ref}" t="inlineStr"${style}><is><t xml:space="preserve">${xmlText(value)}</t></is></c>`;
}

/** A, B, ..., Z, AA, AB, ... */
export function column(index: number): string {
  let name = '';
  for (let i = index + 1; i > 0; i = Math.floor((i - 1) / 26)) name = String.fromCharCode(65 + ((i - 1) % 26)) + name;
  return name;
}

/** XML text: the five specials escaped; characters XML 1.0 cannot carry become U+FFFD. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

const CONTENT_TYPES = `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`;

const ROOT_RELS = `${HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

const WORKBOOK_RELS = `${HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`;

function workbook(sheetName: string): string {
  // Sheet names: at most 31 characters, none of : \ / ? * [ ].
  const name = xmlText(sheetName.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'Sheet1');
  return `${HEAD}<workbook xmlns="${NS}" xmlns:r="${REL_NS}"><sheets><sheet name="${name}" sheetId="1" r:id="rId1"/></sheets></workbook>`;
}

/** Style 0: default; 1: quote-prefixed text; 2: bold (the header row). */
const STYLES = `${HEAD}<styleSheet xmlns="${NS}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" quotePrefix="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;
