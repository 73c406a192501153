import { CatalogFileError, parseCatalog, type CatalogDefinition } from '../catalog.loader';
import { CUSTOMER, isCustomerDuty, type Cadence, type Phase } from '../catalog.model';
import { matchScore, pairBySimilarity, type ActivityMatch, type MatchItem } from './activity-match';
import { readCsv } from './csv.reader';
import {
  CatalogImportError,
  IMPORT_LIMITS,
  type ImportCounts,
  type ImportFormat,
  type ImportOptions,
  type ImportProblem,
  type ImportResult,
  type SourceReading,
  type SourceRow,
} from './import.types';
import { readMarkdown } from './markdown.reader';
import { decodeSource, normalize, slug } from './source-text';

/**
 * The cadence a customer duty gets when the source says none: one occurrence when a one-off
 * phase starts (subscribing, setting up, reverting, ending), a quarterly one while the service
 * is in use. Tenants change it per duty; a previous version's cadence is kept where it matched.
 */
export const DEFAULT_CADENCE: Readonly<Record<Phase, Cadence>> = {
  before_subscription: 'once',
  setup: 'once',
  operations: 'P3M',
  reversibility: 'once',
  end_of_service: 'once',
};

/** The format of a file, by its extension, else by its first characters. */
export function detectFormat(file: string, text: string): ImportFormat {
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  if (ext === 'md' || ext === 'markdown') return 'markdown';
  if (ext === 'csv' || ext === 'tsv') return 'csv';
  if (ext === 'json') return 'json';
  const start = text.trimStart();
  if (start.startsWith('{')) return 'json';
  if (/^(---|#|\|)/.test(start) || /^\s*\|.*\|\s*$/m.test(start.slice(0, 4000))) return 'markdown';
  return 'csv';
}

/** Reads any supported file (bytes as uploaded or read from disk) into a validated catalog. */
export function importCatalog(input: Uint8Array | string, options: ImportOptions = {}): ImportResult {
  const file = options.file ?? '<catalog>';
  const text = decodeSource(input, file);
  const format = options.format ?? detectFormat(file, text);
  switch (format) {
    case 'markdown':
      return importMarkdown(text, options);
    case 'csv':
      return importCsv(text, options);
    case 'json':
      return importJson(text, options);
  }
}

/** A Markdown RACI page (OVHcloud's responsibility models and pages like them). */
export function importMarkdown(text: string, options: ImportOptions = {}): ImportResult {
  return assemble(readMarkdown(decodeSource(text, options.file ?? '<catalog>'), options), options);
}

/** A CSV catalog: section, activity, one column per party; optionally key, phase, cadence, note. */
export function importCsv(text: string, options: ImportOptions = {}): ImportResult {
  return assemble(readCsv(decodeSource(text, options.file ?? '<catalog>'), options), options);
}

/** The canonical JSON format, with the options' catalog fields (key, version, ...) applied over it. */
export function importJson(text: string, options: ImportOptions = {}): ImportResult {
  const file = options.file ?? '<catalog>';
  const decoded = decodeSource(text, file);
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(decoded) as Record<string, unknown>;
  } catch (error) {
    // The loader names the line of a syntax error.
    toImportError(() => parseCatalog(decoded, file), file, []);
    throw error;
  }
  const overrides = catalogFields(options);
  const document = typeof data === 'object' && !Array.isArray(data) ? { ...data, ...overrides } : data;
  const catalog = toImportError(
    () => parseCatalog(Object.keys(overrides).length > 0 ? JSON.stringify(document, null, 2) : decoded, file),
    file,
    [],
  );
  return {
    catalog,
    document,
    counts: countsOf(catalog),
    warnings: [],
    matches: catalog.activities.map((a) => ({ key: a.key, title: a.title, by: 'source' as const })),
    unmatchedPrevious: options.previous?.activities.filter((p) => !catalog.activities.some((a) => a.key === p.key)).map((p) => p.key) ?? [],
  };
}

/** The catalog-level fields the options set (only those given). */
function catalogFields(options: ImportOptions): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    key: options.key,
    version: options.version,
    name: options.name,
    provider: options.provider,
    publishedOn: options.publishedOn,
    sourceTitle: options.sourceTitle,
    sourceUrl: options.sourceUrl,
    publisher: options.publisher,
    license: options.license,
    retrievedOn: options.retrievedOn,
    sourcePath: options.sourcePath,
  };
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
}

export function countsOf(catalog: Pick<CatalogDefinition, 'activities'>): ImportCounts {
  let customerDuties = 0;
  let providerCommitments = 0;
  let uncertain = 0;
  for (const a of catalog.activities) {
    if (isCustomerDuty(a.raci)) customerDuties++;
    else if (/[CI]/.test(a.raci[CUSTOMER] ?? '')) providerCommitments++;
    if (!a.certain) uncertain++;
  }
  return { activities: catalog.activities.length, customerDuties, providerCommitments, uncertain };
}

/** Runs the loader's validation; its problems become import problems on the source's lines. */
function toImportError<T>(run: () => T, file: string, warnings: readonly ImportProblem[], lineOfKey?: Map<string, number>): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof CatalogFileError)) throw error;
    throw new CatalogImportError(
      file,
      error.problems.map((p) => {
        const line = (p.key !== undefined ? lineOfKey?.get(p.key) : undefined) ?? (lineOfKey ? undefined : p.line);
        return {
          ...(line ? { line } : {}),
          cell: p.path.replace(/^\$\.(activities|sections)\[\d+\]\.?/, '') || p.path,
          message: p.message,
        };
      }),
      warnings,
    );
  }
}

interface KeyedRow {
  readonly row: SourceRow;
  key?: string;
  match?: ActivityMatch;
}

/** Keys, defaults and catalog fields around a reading, then the loader's validation. */
function assemble(reading: SourceReading, options: ImportOptions): ImportResult {
  const file = options.file ?? '<catalog>';
  const warnings: ImportProblem[] = [...reading.warnings];
  const errors: ImportProblem[] = [...reading.errors];
  if (reading.rows.length > IMPORT_LIMITS.maxActivities)
    errors.push({ message: `${reading.rows.length} activities; at most ${IMPORT_LIMITS.maxActivities} are read` });
  if (errors.length > 0) throw new CatalogImportError(file, errors, warnings);

  const previous = options.previous;
  const provider = options.provider ?? previous?.provider ?? reading.providerName;
  const name = options.name ?? previous?.name ?? reading.title;
  const publishedOn = options.publishedOn ?? reading.publishedOn;
  if (!provider) errors.push({ message: 'the provider is not named: give it (--provider)' });
  if (!name) errors.push({ message: 'the catalog has no name: no title in the source, give one' });
  if (!publishedOn) errors.push({ message: 'no publication date: the page has no `updated` date in its front matter, give one' });
  const key = options.key ?? previous?.key ?? (provider && name ? slug(`${provider} ${name}`) : undefined);
  if (key && !/^[a-z0-9][a-z0-9-]{1,63}$/.test(key))
    errors.push({ cell: 'key', message: `"${key}" is not a catalog key (lowercase letters, digits and dashes, 2-64)` });
  if (errors.length > 0 || !provider || !name || !publishedOn || !key) throw new CatalogImportError(file, errors, warnings);

  const sectionTitle = new Map(reading.sections.map((s) => [s.key, s.title]));
  const rows: KeyedRow[] = reading.rows.map((row) => ({ row }));
  const item = (r: SourceRow): MatchItem => ({ section: r.section, sectionTitle: sectionTitle.get(r.section) ?? '', title: r.title });
  const prevActivities = previous?.activities ?? [];
  const prevItem = (a: (typeof prevActivities)[number]): MatchItem => ({
    section: a.section,
    sectionTitle: previous?.sections.find((s) => s.key === a.section)?.title ?? '',
    title: a.title,
  });
  const prevByKey = new Map(prevActivities.map((a) => [a.key, a]));
  const taken = new Set<string>();
  const settled = new Set<KeyedRow>();
  const give = (r: KeyedRow, k: string, by: ActivityMatch['by']): void => {
    const prev = prevByKey.get(k);
    r.key = k;
    taken.add(k);
    settled.add(r);
    r.match = {
      key: k,
      title: r.row.title,
      line: r.row.line,
      by,
      ...(prev ? { previousKey: prev.key, previousTitle: prev.title, score: matchScore(prevItem(prev), item(r.row)) } : {}),
    };
  };

  // 1. Keys written in the source.
  for (const r of rows) {
    if (!r.row.key) continue;
    if (taken.has(r.row.key)) errors.push({ line: r.row.line, cell: 'key', message: `the key "${r.row.key}" is used twice` });
    else give(r, r.row.key, 'source');
  }
  // 2. The mapping the importer was told.
  for (const m of options.mapping ?? []) {
    const found = rows.filter(
      (r) => !settled.has(r) && normalize(r.row.title) === normalize(m.title) && (m.section === undefined || r.row.section === m.section),
    );
    if (found.length !== 1) {
      errors.push({
        cell: 'mapping',
        message: `the mapping of "${m.title}"${m.section ? ` in section ${m.section}` : ''} names ${found.length === 0 ? 'no activity of the source' : `${found.length} activities; add its section`}`,
      });
      continue;
    }
    const r = found[0] as KeyedRow;
    if (m.key === null) {
      settled.add(r);
      continue;
    }
    if (taken.has(m.key)) errors.push({ line: r.row.line, cell: 'mapping', message: `the key "${m.key}" is used twice` });
    else give(r, m.key, 'mapping');
  }
  if (errors.length > 0) throw new CatalogImportError(file, errors, warnings);
  // 3. The previous version's activities, by section and title similarity.
  const open = rows.filter((r) => !settled.has(r));
  const openPrev = prevActivities.filter((a) => !taken.has(a.key));
  for (const p of pairBySimilarity(
    openPrev.map(prevItem),
    open.map((r) => item(r.row)),
  )) {
    give(open[p.to] as KeyedRow, (openPrev[p.from] as (typeof openPrev)[number]).key, 'similarity');
  }
  // 4. New keys for the rest: the prefix in use, numbers after every key the catalog ever had here.
  const prefix = options.keyPrefix ?? keyPrefixOf(prevActivities.map((a) => a.key)) ?? initials(name, provider);
  const numbered = [...prevActivities.map((a) => a.key), ...taken]
    .map((k) => new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}-(\\d+)$`).exec(k))
    .filter((m): m is RegExpExecArray => m !== null);
  let next = Math.max(0, ...numbered.map((m) => Number(m[1]))) + 1;
  const width = Math.max(2, String(rows.length + next - 1).length, ...numbered.map((m) => (m[1] as string).length));
  for (const r of rows) {
    if (r.key) continue;
    let k: string;
    do k = `${prefix}-${String(next++).padStart(width, '0')}`;
    while (taken.has(k));
    give(r, k, 'new');
  }

  // Defaults, and what the matched previous activity settled that the source does not say.
  const lineOfKey = new Map<string, number>();
  const activities = rows.map((r) => {
    const { row } = r;
    const k = r.key as string;
    lineOfKey.set(k, row.line);
    const prev = r.match?.previousKey ? prevByKey.get(r.match.previousKey) : undefined;
    const duty = isCustomerDuty(row.raci);
    const phase = (reading.sections.find((s) => s.key === row.section) as { phase: Phase }).phase;
    const cadence = duty ? (row.cadence ?? (prev?.cadence && isCustomerDuty(prev.raci) ? prev.cadence : DEFAULT_CADENCE[phase])) : null;
    if (!duty && row.cadence)
      errors.push({
        line: row.line,
        cell: 'cadence',
        message: 'a cadence is only for customer duties (the customer holds neither R nor A here)',
      });
    const optional = duty && (row.optional ?? (prev?.optional === true && isCustomerDuty(prev.raci)));
    if (!duty && row.optional) errors.push({ line: row.line, cell: 'optional', message: 'only a customer duty can be optional' });
    // A note on the previous reading still holds while the letters and their certainty are the same.
    const sameLetters =
      prev && prev.certain && Object.keys({ ...prev.raci, ...row.raci }).every((p) => (prev.raci[p] ?? '') === (row.raci[p] ?? ''));
    const note = row.note ?? (sameLetters ? prev.note : null);
    return {
      key: k,
      section: row.section,
      title: row.title,
      raci: row.raci,
      raw: row.raw,
      certain: row.certain ?? true,
      source: row.source ?? 'table',
      ...(note ? { note } : {}),
      ...(cadence ? { cadence } : {}),
      ...(optional ? { optional: true } : {}),
    };
  });
  if (errors.length > 0) throw new CatalogImportError(file, errors, warnings);

  const document: Record<string, unknown> = {
    formatVersion: 1,
    key,
    name,
    provider,
    version: options.version ?? publishedOn,
    publishedOn,
    sourceTitle: options.sourceTitle ?? reading.title ?? name,
    ...catalogFields({
      ...(options.sourceUrl ? { sourceUrl: options.sourceUrl } : {}),
      ...(options.publisher ? { publisher: options.publisher } : {}),
      ...(options.license ? { license: options.license } : {}),
      ...(options.retrievedOn ? { retrievedOn: options.retrievedOn } : {}),
      ...(options.sourcePath ? { sourcePath: options.sourcePath } : {}),
    }),
    parties: reading.parties,
    sections: reading.sections.map((s) => ({ key: s.key, title: s.title, phase: s.phase })),
    activities,
  };
  const catalog = toImportError(() => parseCatalog(JSON.stringify(document, null, 2), file), file, warnings, lineOfKey);
  return {
    catalog,
    document,
    counts: countsOf(catalog),
    warnings,
    matches: rows.map((r) => r.match as ActivityMatch),
    unmatchedPrevious: prevActivities.filter((a) => !taken.has(a.key)).map((a) => a.key),
  };
}

/** The prefix most keys share (`PX` of `PX-01`), if they share one. */
function keyPrefixOf(keys: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const k of keys) {
    const m = /^([A-Za-z][A-Za-z0-9]*)-\d+$/.exec(k);
    if (m) counts.set(m[1] as string, (counts.get(m[1] as string) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** `OVHcloud`, `Managed Kubernetes - Responsibility model` -> `MKRM`: initials of the name's words (provider and filler dropped). */
function initials(name: string, provider: string): string {
  const skip = new Set([
    ...normalize(provider).split(' '),
    'the',
    'for',
    'of',
    'and',
    'a',
    'an',
    'product',
    'service',
    'on',
    'in',
    'to',
    'responsibility',
    'responsibilities',
    'model',
    'sharing',
    'raci',
    'matrix',
    'le',
    'la',
    'les',
    'de',
    'du',
    'des',
  ]);
  const letters = normalize(name)
    .split(' ')
    .filter((w) => w && !skip.has(w) && /^[a-z]/.test(w))
    .map((w) => (w[0] as string).toUpperCase())
    .join('')
    .slice(0, 4);
  return letters.length >= 1 ? letters : 'A';
}
