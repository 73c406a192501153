import { canonicalLetters, type Phase } from '../catalog.model';
import { IMPORT_LIMITS, type ImportProblem, type SourceReading, type SourceRow, type SourceSection } from './import.types';
import { cleanText, footnoteRefs, normalize, phaseByMeaning, phaseByNumber, readLetters, slug, tooLong } from './source-text';
import { partyName, partyOfHeader } from './party-columns';

interface Heading {
  readonly level: number;
  readonly line: number;
  /** `3.1.1` when the heading is numbered. */
  readonly number: string | null;
  readonly title: string;
}

const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const NUMBERED = /^(\d+(?:\.\d+)*)\.?\s+(.+)$/;
const DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const ACTIVITY_HEADERS = new Set(['activity', 'activities', 'activite', 'activites', 'task', 'tasks', 'tache', 'taches']);

/** A header cell's text for naming it in a problem (or its position when it is itself too long). */
const cleanHeader = (cell: string | undefined): string | undefined =>
  cell === undefined ? undefined : cell.length > IMPORT_LIMITS.maxCellLength ? 'header' : cleanText(cell);

/** Cells of a table line; `\|` is a pipe inside a cell. */
function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && s[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (c === '|') {
      cells.push(cur);
      cur = '';
    } else cur += c;
  }
  cells.push(cur);
  return cells;
}

/** Front matter between `---` lines: `key: value` pairs (quotes dropped). */
function frontMatter(lines: readonly string[]): { fields: Map<string, { value: string; line: number }>; end: number } {
  const fields = new Map<string, { value: string; line: number }>();
  if (lines[0]?.trim() !== '---') return { fields, end: 0 };
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.trim() === '---' || l.trim() === '...') return { fields, end: i + 1 };
    const m = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(l);
    if (m) fields.set((m[1] as string).toLowerCase(), { value: (m[2] as string).trim().replace(/^(['"])(.*)\1$/, '$2'), line: i + 1 });
  }
  return { fields, end: 0 };
}

/** `2024-6-25` (the OVHcloud pages do not zero-pad) -> `2024-06-25`; null when not a real date. */
export function readDate(text: string): string | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(text.trim());
  if (!m) return null;
  const iso = `${m[1]}-${(m[2] as string).padStart(2, '0')}-${(m[3] as string).padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

/**
 * Reads a Markdown RACI page: headings become sections, each table with an activity column and
 * party columns becomes activities of the section above it; other tables (the R/A/C/I legend)
 * are not RACI tables and are skipped.
 */
export function readMarkdown(text: string, options: { provider?: string }): SourceReading {
  const lines = text.split('\n');
  const errors: ImportProblem[] = [];
  const warnings: ImportProblem[] = [];
  const fm = frontMatter(lines);
  let title = fm.fields.get('title')?.value;
  let publishedOn: string | undefined;
  const updated = fm.fields.get('updated') ?? fm.fields.get('date');
  if (updated) {
    const d = readDate(updated.value);
    if (d) publishedOn = d;
    else
      warnings.push({
        line: updated.line,
        cell: 'updated',
        message: `"${updated.value}" is not a date; the publication date must be given`,
      });
  }

  // Footnote definitions (`[^1]: text`) become the note of the rows that cite them.
  const footnotes = new Map<string, string>();
  for (const l of lines) {
    const m = /^\s{0,3}\[\^([^\]]+)\]:\s*(.*)$/.exec(l);
    if (m && !tooLong(m[2] as string, 0)) footnotes.set(m[1] as string, cleanText(m[2] as string));
  }

  const headings: Heading[] = [];
  const sections: SourceSection[] = [];
  const rows: SourceRow[] = [];
  const parties: string[] = [];
  let providerName: string | undefined;
  const sectionOf = new Map<Heading, SourceSection>();
  const usedKeys = new Set<string>();

  const phaseOf = (h: Heading): Phase => {
    // Numbered pages: the top-level heading with the same first number says the phase.
    if (h.number) {
      const top = h.number.split('.')[0] as string;
      const topHeading = [...headings].reverse().find((x) => x.number === top);
      const meant = topHeading ? phaseByMeaning(topHeading.title) : null;
      if (meant) return meant;
      const byNumber = phaseByNumber(top);
      if (byNumber) {
        warnings.push({
          line: topHeading?.line ?? h.line,
          message: `section ${top}${topHeading ? ` "${topHeading.title}"` : ''} does not say which phase it is; read as ${byNumber} from its number`,
        });
        return byNumber;
      }
    }
    // Otherwise the outermost enclosing heading whose title means a phase.
    const enclosing: Heading[] = [];
    for (const x of headings) {
      while (enclosing.length > 0 && (enclosing[enclosing.length - 1] as Heading).level >= x.level) enclosing.pop();
      enclosing.push(x);
      if (x === h) break;
    }
    for (const x of enclosing) {
      const meant = phaseByMeaning(x.title);
      if (meant) return meant;
    }
    const fallback = sections[sections.length - 1]?.phase ?? 'operations';
    warnings.push({ line: h.line, message: `section "${h.title}" does not say which phase it is; read as ${fallback}` });
    return fallback;
  };

  const sectionFor = (h: Heading | undefined, line: number): SourceSection => {
    const heading = h ?? { level: 1, line, number: null, title: title ?? 'Activities' };
    const known = sectionOf.get(heading);
    if (known) return known;
    let key = heading.number ?? (slug(heading.title) || `section-${sections.length + 1}`);
    if (usedKeys.has(key)) {
      let n = 2;
      while (usedKeys.has(`${key}-${n}`)) n++;
      warnings.push({ line: heading.line, message: `section "${key}" appears twice; this one is keyed "${key}-${n}"` });
      key = `${key}-${n}`;
    }
    usedKeys.add(key);
    const section = { key, title: heading.title, phase: phaseOf(heading), line: heading.line };
    sectionOf.set(heading, section);
    sections.push(section);
    return section;
  };

  let fence: string | null = null;
  for (let i = fm.end; i < lines.length; i++) {
    const line = lines[i] as string;
    const fenceMark = /^\s{0,3}(```|~~~)/.exec(line);
    if (fenceMark) {
      fence = fence === null ? (fenceMark[1] as string) : fence === fenceMark[1] ? null : fence;
      continue;
    }
    if (fence !== null) continue;
    const h = line.length <= IMPORT_LIMITS.maxCellLength + 10 ? HEADING.exec(line) : null;
    if (!h && /^ {0,3}#{1,6}\s/.test(line)) {
      errors.push(tooLong(line, i + 1) as ImportProblem);
      continue;
    }
    if (h) {
      const cleaned = cleanText(h[2] as string);
      const numbered = NUMBERED.exec(cleaned);
      headings.push({
        level: (h[1] as string).length,
        line: i + 1,
        number: numbered ? (numbered[1] as string) : null,
        title: numbered ? (numbered[2] as string).trim() : cleaned,
      });
      if (!title && (h[1] as string).length === 1) title = cleaned;
      continue;
    }
    const next = lines[i + 1] ?? '';
    if (!line.includes('|') || !next.includes('|') || !DELIMITER.test(next) || DELIMITER.test(line)) continue;

    // A table: header, delimiter, then rows until a line without a pipe.
    const headerLine = i + 1;
    const headerCells = splitRow(line);
    let end = i + 2;
    while (end < lines.length && (lines[end] as string).includes('|') && (lines[end] as string).trim() !== '') end++;
    const body = lines.slice(i + 2, end).map((l, k) => ({ line: i + 3 + k, cells: splitRow(l) }));
    i = end - 1;

    if (headerCells.length > IMPORT_LIMITS.maxColumns) {
      errors.push({
        line: headerLine,
        message: `the table has ${headerCells.length} columns; at most ${IMPORT_LIMITS.maxColumns} are read`,
      });
      continue;
    }
    const overlong = [{ line: headerLine, cells: headerCells }, ...body].flatMap((r) =>
      r.cells.flatMap((c, k) => tooLong(c, r.line, cleanHeader(headerCells[k])) ?? []),
    );
    if (overlong.length > 0) {
      errors.push(...overlong);
      continue;
    }
    const header = headerCells.map((c) => cleanText(c));
    const activityColumn = header.findIndex((c) => ACTIVITY_HEADERS.has(normalize(c)));
    if (activityColumn < 0) continue; // a legend or another table: not a RACI matrix
    const columns: { index: number; party: string; header: string }[] = [];
    header.forEach((c, index) => {
      if (index === activityColumn || c === '') return;
      const party = partyOfHeader(c, options.provider);
      columns.push({ index, party: party ?? '', header: c });
    });
    // A column naming neither the customer nor a known provider word: the provider (by name).
    const unnamed = columns.filter((c) => c.party === '');
    if (!columns.some((c) => c.party === 'provider') && unnamed.length > 0) {
      const first = unnamed[0] as (typeof unnamed)[number];
      first.party = 'provider';
      providerName ??= first.header;
    }
    for (const c of columns.filter((x) => x.party === '')) {
      const name = partyName(c.header);
      if (!name) {
        errors.push({ line: headerLine, cell: c.header, message: 'a party column needs a name made of letters' });
        continue;
      }
      c.party = name;
    }
    if (!columns.some((c) => c.party === 'customer')) {
      warnings.push({ line: headerLine, message: 'a table with an activity column but no Customer/Client column: skipped' });
      continue;
    }
    const seenParties = new Set<string>();
    for (const c of columns) {
      if (seenParties.has(c.party)) errors.push({ line: headerLine, cell: c.header, message: `two columns are the party "${c.party}"` });
      seenParties.add(c.party);
      if (!parties.includes(c.party)) parties.push(c.party);
    }

    const heading = headings[headings.length - 1];
    if (body.length === 0) {
      warnings.push({
        line: headerLine,
        message: `the table under "${heading ? `${heading.number ? `${heading.number} ` : ''}${heading.title}` : 'the page'}" has a header and no rows: no activity read`,
      });
      continue;
    }
    const section = sectionFor(heading, headerLine);
    for (const row of body) {
      if (row.cells.every((c) => c.trim() === '')) continue;
      if (row.cells.length < header.length)
        warnings.push({
          line: row.line,
          message: `the row has ${row.cells.length} of ${header.length} cells; the missing ones (${header.slice(row.cells.length).join(', ')}) are read as empty`,
        });
      if (row.cells.length > header.length && row.cells.slice(header.length).some((c) => c.trim() !== ''))
        warnings.push({
          line: row.line,
          message: `the row has ${row.cells.length} cells for ${header.length} columns; the extra ones are ignored`,
        });
      const titleCell = row.cells[activityColumn] ?? '';
      const activityTitle = cleanText(titleCell);
      const rowErrors: ImportProblem[] = [];
      if (activityTitle === '') rowErrors.push({ line: row.line, cell: header[activityColumn], message: 'the activity cell is empty' });
      const raci: Record<string, string> = {};
      let raw = '';
      for (const c of columns) {
        const read = readLetters(row.cells[c.index] ?? '', row.line, c.header);
        rowErrors.push(...read.errors);
        warnings.push(...read.warnings);
        raci[c.party] = canonicalLetters(read.published);
        raw += read.published;
      }
      if (rowErrors.length === 0 && !Object.values(raci).some((l) => /[RA]/.test(l)))
        rowErrors.push({ line: row.line, message: 'no party is Responsible or Accountable (R or A) for this activity' });
      errors.push(...rowErrors);
      if (rowErrors.length > 0) continue;
      const notes = row.cells
        .flatMap((c) => footnoteRefs(c))
        .flatMap((id) => {
          const note = footnotes.get(id);
          if (note === undefined) warnings.push({ line: row.line, message: `footnote [^${id}] is not defined on the page` });
          return note ? [note] : [];
        });
      rows.push({
        line: row.line,
        section: section.key,
        title: activityTitle,
        raci,
        raw,
        ...(notes.length ? { note: notes.join(' ') } : {}),
      });
    }
  }
  // Every party appears in every row ("" where a table lacked its column).
  for (const r of rows) for (const p of parties) (r.raci as Record<string, string>)[p] ??= '';
  if (rows.length === 0 && errors.length === 0)
    errors.push({
      message: 'no activity found: a RACI table needs an Activity/Activité column, a Customer/Client column and rows',
    });
  return {
    ...(title ? { title } : {}),
    ...(publishedOn ? { publishedOn } : {}),
    ...(providerName ? { providerName } : {}),
    parties,
    sections: sections.filter((s) => rows.some((r) => r.section === s.key)),
    rows,
    errors,
    warnings,
  };
}
