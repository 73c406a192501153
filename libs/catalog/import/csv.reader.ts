import { CADENCES, PHASES, canonicalLetters, type Cadence, type Phase } from '../catalog.model';
import { IMPORT_LIMITS, type ImportProblem, type SourceReading, type SourceRow, type SourceSection } from './import.types';
import { partyName, partyOfHeader } from './party-columns';
import { normalize, phaseByMeaning, phaseByNumber, readLetters, slug, tooLong } from './source-text';

export interface CsvRecord {
  /** Line where the record starts (a quoted field may span lines). */
  readonly line: number;
  readonly cells: string[];
}

/**
 * RFC 4180 CSV: quoted fields (with `""` for a quote, commas and line breaks inside), LF or
 * CRLF. The delimiter is the one the header line uses most: `,`, `;` (spreadsheets in French
 * locales) or a tab. Cells are text and stay text: nothing is evaluated.
 */
export function parseCsv(text: string): { records: CsvRecord[]; errors: ImportProblem[] } {
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length).replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length - 1] as const);
  const delimiter = counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 0;
  let atCellStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && atCellStart) {
      quoted = true;
      quoteLine = line;
      atCellStart = false;
    } else if (c === delimiter) {
      cells.push(cell);
      cell = '';
      atCellStart = true;
      // A delimiter after the 64th cell means a 65th: stop before reading further.
      if (cells.length >= IMPORT_LIMITS.maxColumns)
        return {
          records,
          errors: [
            {
              line: start,
              message: `the row has more than ${IMPORT_LIMITS.maxColumns} columns; at most ${IMPORT_LIMITS.maxColumns} are read`,
            },
          ],
        };
    } else if (c === '\n') {
      cells.push(cell);
      records.push({ line: start, cells });
      cells = [];
      cell = '';
      atCellStart = true;
      line++;
      start = line;
    } else {
      cell += c;
      atCellStart = false;
    }
  }
  if (quoted) return { records, errors: [{ line: quoteLine, message: 'a quoted field is never closed (a missing ")' }] };
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ line: start, cells });
  }
  return { records: records.filter((r) => r.cells.some((c) => c.trim() !== '')), errors: [] };
}

const FIELDS: Record<string, readonly string[]> = {
  key: ['key', 'cle', 'id'],
  section: ['section', 'section key'],
  sectionTitle: ['section title', 'titre de section', 'titre section'],
  title: ['activity', 'activite', 'title', 'titre', 'task', 'tache'],
  phase: ['phase'],
  cadence: ['cadence', 'frequency', 'frequence'],
  note: ['note', 'notes', 'remarque', 'comment'],
  optional: ['optional', 'optionnel', 'optionnelle'],
  raw: ['raw'],
  certain: ['certain'],
  source: ['source'],
};

const CADENCE_WORDS: Record<string, Cadence> = {
  monthly: 'P1M',
  mensuel: 'P1M',
  quarterly: 'P3M',
  trimestriel: 'P3M',
  'half yearly': 'P6M',
  semestriel: 'P6M',
  yearly: 'P1Y',
  annual: 'P1Y',
  annuel: 'P1Y',
  once: 'once',
  'on event': 'on_event',
};

/** A cell a spreadsheet would take for a formula, written with a leading `'` by catalogToCsv: read back as the text. */
const unescapeFormula = (cell: string): string => (/^'[=+\-@]/.test(cell) ? cell.slice(1) : cell);

/**
 * Reads a CSV catalog: one row per activity; columns section, activity, one per party, and
 * optionally key, section title, phase, cadence, note, optional (any order, English or French).
 */
export function readCsv(text: string, options: { provider?: string }): SourceReading {
  const { records, errors: parseErrors } = parseCsv(text);
  const errors: ImportProblem[] = [...parseErrors];
  const warnings: ImportProblem[] = [];
  const empty = { parties: [], sections: [], rows: [], warnings };
  if (errors.length > 0) return { ...empty, errors };
  const header = records[0];
  if (!header) return { ...empty, errors: [{ message: 'the file is empty' }] };
  const headers = header.cells.map((c) => c.trim());
  const column = new Map<string, number>();
  const partyColumns: { index: number; party: string; header: string }[] = [];
  let providerName: string | undefined;
  headers.forEach((h, index) => {
    const n = normalize(h);
    const field = Object.entries(FIELDS).find(([, names]) => names.includes(n))?.[0];
    if (field) {
      if (column.has(field)) errors.push({ line: header.line, cell: h, message: `two columns are "${field}"` });
      column.set(field, index);
      return;
    }
    if (n === '') return;
    const party = partyOfHeader(h, options.provider) ?? partyName(h);
    if (!party) errors.push({ line: header.line, cell: h, message: 'a party column needs a name made of letters' });
    else if (partyColumns.some((p) => p.party === party))
      errors.push({ line: header.line, cell: h, message: `two columns are the party "${party}"` });
    else partyColumns.push({ index, party, header: h });
  });
  // Without a column naming the provider, the first party column other than the customer is it.
  if (!partyColumns.some((p) => p.party === 'provider')) {
    const other = partyColumns.find((p) => p.party !== 'customer');
    if (other) {
      providerName = other.header;
      other.party = 'provider';
    }
  }
  for (const required of ['section', 'title'])
    if (!column.has(required))
      errors.push({
        line: header.line,
        message: `no "${required === 'title' ? 'activity' : required}" column (found: ${headers.join(', ')})`,
      });
  if (!partyColumns.some((p) => p.party === 'customer')) errors.push({ line: header.line, message: 'no Customer/Client column' });
  if (errors.length > 0) return { ...empty, errors };

  const cellOf = (cells: string[], field: string): string => {
    const i = column.get(field);
    return i === undefined ? '' : unescapeFormula((cells[i] ?? '').trim());
  };
  const sections = new Map<string, SourceSection>();
  const rows: SourceRow[] = [];
  for (const r of records.slice(1)) {
    const at = (field: string): string => headers[column.get(field) ?? -1] ?? field;
    if (r.cells.length < headers.length)
      warnings.push({
        line: r.line,
        message: `the row has ${r.cells.length} of ${headers.length} cells; the missing ones (${headers.slice(r.cells.length).join(', ')}) are read as empty`,
      });
    const rowErrors: ImportProblem[] = r.cells.flatMap((c, k) => tooLong(c, r.line, headers[k]) ?? []);
    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      continue;
    }
    // Section: its own key and title columns, or `3.1.1 Daily operations`, or a title alone.
    const sectionCell = cellOf(r.cells, 'section');
    let sectionKey: string;
    let sectionTitle: string;
    if (column.has('sectionTitle')) {
      sectionKey = sectionCell;
      sectionTitle = cellOf(r.cells, 'sectionTitle') || sectionCell;
    } else {
      const numbered = /^(\d+(?:\.\d+)*)\.?\s+(.+)$/.exec(sectionCell);
      sectionKey = numbered ? (numbered[1] as string) : slug(sectionCell);
      sectionTitle = numbered ? (numbered[2] as string) : sectionCell;
    }
    if (!sectionKey || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(sectionKey))
      rowErrors.push({
        line: r.line,
        cell: at('section'),
        message: sectionCell ? `"${sectionCell}" is not a section key` : 'the section is empty',
      });
    const title = cellOf(r.cells, 'title');
    if (!title) rowErrors.push({ line: r.line, cell: at('title'), message: 'the activity cell is empty' });

    let phase: Phase | null = null;
    const phaseCell = cellOf(r.cells, 'phase');
    if (phaseCell) {
      phase = (PHASES as readonly string[]).includes(phaseCell) ? (phaseCell as Phase) : phaseByMeaning(phaseCell);
      if (!phase) rowErrors.push({ line: r.line, cell: at('phase'), message: `"${phaseCell}" is not a phase (${PHASES.join(', ')})` });
    }
    const cadenceCell = cellOf(r.cells, 'cadence');
    let cadence: Cadence | undefined;
    if (cadenceCell) {
      cadence = CADENCES.includes(cadenceCell as Cadence) ? (cadenceCell as Cadence) : CADENCE_WORDS[normalize(cadenceCell)];
      if (!cadence)
        rowErrors.push({ line: r.line, cell: at('cadence'), message: `"${cadenceCell}" is not a cadence (${CADENCES.join(', ')})` });
    }
    const yesNo = (field: string): boolean | undefined => {
      const v = normalize(cellOf(r.cells, field));
      if (v === '') return undefined;
      if (['true', 'yes', 'oui', '1'].includes(v)) return true;
      if (['false', 'no', 'non', '0'].includes(v)) return false;
      rowErrors.push({ line: r.line, cell: at(field), message: `"${v}" is not yes or no` });
      return undefined;
    };
    const optional = yesNo('optional');
    const certain = yesNo('certain');
    const source = cellOf(r.cells, 'source');
    if (source && source !== 'table' && source !== 'reading')
      rowErrors.push({ line: r.line, cell: at('source'), message: `"${source}" is not table or reading` });
    const rawCell = cellOf(r.cells, 'raw');
    if (rawCell && !/^[RACI]+$/.test(rawCell))
      rowErrors.push({ line: r.line, cell: at('raw'), message: `"${rawCell}" is not the published letters (R, A, C, I)` });
    const key = cellOf(r.cells, 'key');
    if (key && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(key))
      rowErrors.push({ line: r.line, cell: at('key'), message: `"${key}" is not a key (letters, digits, . _ -)` });

    const raci: Record<string, string> = {};
    let raw = '';
    for (const p of partyColumns) {
      const read = readLetters(r.cells[p.index] ?? '', r.line, p.header);
      rowErrors.push(...read.errors);
      warnings.push(...read.warnings);
      raci[p.party] = canonicalLetters(read.published);
      raw += read.published;
    }
    if (rowErrors.length === 0 && !Object.values(raci).some((l) => /[RA]/.test(l)))
      rowErrors.push({ line: r.line, message: 'no party is Responsible or Accountable (R or A) for this activity' });
    errors.push(...rowErrors);
    if (rowErrors.length > 0) continue;

    let section = sections.get(sectionKey);
    if (!section) {
      phase ??= phaseFromSection(sectionKey, sectionTitle, r.line, warnings);
      section = { key: sectionKey, title: sectionTitle, phase, line: r.line };
      sections.set(sectionKey, section);
    } else if (phase && phase !== section.phase) {
      errors.push({
        line: r.line,
        cell: at('phase'),
        message: `section ${sectionKey} is ${section.phase} (line ${section.line}), not ${phase}`,
      });
      continue;
    }
    const note = cellOf(r.cells, 'note');
    rows.push({
      line: r.line,
      section: sectionKey,
      title,
      raci,
      raw: rawCell || raw,
      ...(key ? { key } : {}),
      ...(certain !== undefined ? { certain } : {}),
      ...(source ? { source: source as 'table' | 'reading' } : {}),
      ...(cadence ? { cadence } : {}),
      ...(note ? { note } : {}),
      ...(optional !== undefined ? { optional } : {}),
    });
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ line: header.line, message: 'the file has a header and no activity' });
  return {
    ...(providerName ? { providerName } : {}),
    parties: partyColumns.map((p) => p.party),
    sections: [...sections.values()],
    rows,
    errors,
    warnings,
  };
}

function phaseFromSection(key: string, title: string, line: number, warnings: ImportProblem[]): Phase {
  // A numbered section says its phase by its first number (1 to 5 in lifecycle order); a title
  // alone can mislead ("Reversibility model" is also a setup sub-section), so it comes second.
  const byNumber = /^\d+(\.\d+)*$/.test(key) ? phaseByNumber(key.split('.')[0] as string) : null;
  const phase = byNumber ?? phaseByMeaning(title);
  warnings.push({
    line,
    cell: 'phase',
    message: `no phase given for section ${key} "${title}"; read as ${phase ?? 'operations'}${byNumber ? ' from its number' : phase ? ' from its title' : ''}`,
  });
  return phase ?? 'operations';
}
