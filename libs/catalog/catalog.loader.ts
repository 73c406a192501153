import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../core';
import { CADENCES, PHASES, canonicalLetters, isCustomerDuty, type Cadence, type Phase, type RaciMap } from './catalog.model';

export const CATALOG_FORMAT_VERSION = 1;

export interface SectionDefinition {
  readonly key: string;
  readonly title: string;
  readonly phase: Phase;
}

export interface ActivityDefinition {
  readonly key: string;
  readonly section: string;
  readonly title: string;
  readonly phase: Phase;
  readonly raci: RaciMap;
  readonly raw: string;
  readonly certain: boolean;
  readonly source: 'table' | 'reading';
  readonly note: string | null;
  readonly cadence: Cadence | null;
  readonly optional: boolean;
}

export interface CatalogDefinition {
  readonly key: string;
  readonly name: string;
  readonly provider: string;
  readonly version: string;
  readonly publishedOn: string;
  /** Title of the published document the catalog was read from. */
  readonly sourceTitle: string;
  readonly sourceUrl: string | null;
  /**
   * Attribution of the source this version was read from. Provenance, not content: it is kept
   * out of the content hash, so recording it for an already loaded version changes nothing else.
   */
  readonly attribution: Attribution;
  readonly parties: readonly string[];
  readonly sections: readonly SectionDefinition[];
  readonly activities: readonly ActivityDefinition[];
  /** sha256 of the canonical JSON of the normalised definition. */
  readonly contentHash: string;
}

export interface Attribution {
  /** Who published the source (`OVHcloud`). */
  readonly publisher: string | null;
  /** The source's licence (`CC BY-NC-SA 4.0`). */
  readonly license: string | null;
  /** The day the source was retrieved, `YYYY-MM-DD`. */
  readonly retrievedOn: string | null;
  /** The copy of the source in this repository, relative to its root (`seeds/catalogs/sources/x.md`). */
  readonly sourcePath: string | null;
}

export interface CatalogProblem {
  /** JSON path of the value at fault, e.g. `activities[4].raci.customer`. */
  readonly path: string;
  /** Activity or section key at fault, when there is one. */
  readonly key?: string;
  /** 1-based line in the file, when it can be told. */
  readonly line?: number;
  readonly message: string;
}

/** A catalog file is refused whole; every problem found is listed. */
export class CatalogFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly CatalogProblem[],
  ) {
    super(
      `catalog file ${file} refused:\n` +
        problems.map((p) => `  - ${p.line ? `line ${p.line}: ` : ''}${p.path}${p.key ? ` (${p.key})` : ''}: ${p.message}`).join('\n'),
    );
    this.name = 'CatalogFileError';
  }
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CATALOG_KEY = /^[a-z0-9][a-z0-9-]{1,63}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LETTERS = /^[RACI]*$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function isRealDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Parses and validates catalog JSON text; throws CatalogFileError listing every problem. */
export function parseCatalog(text: string, file = '<catalog>'): CatalogDefinition {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const pos = /position (\d+)/.exec(message);
    const lineCol = /line (\d+)/.exec(message);
    const line = pos ? lineAt(text, Number(pos[1])) : lineCol ? Number(lineCol[1]) : undefined;
    throw new CatalogFileError(file, [{ path: '$', ...(line ? { line } : {}), message: `not valid JSON: ${message}` }]);
  }

  const problems: CatalogProblem[] = [];
  // Line of the first `"key": "<key>"` after `after`, so problems point into the file.
  const lineOfKey = (key: string, after: string): number | undefined => {
    const start = Math.max(0, text.indexOf(`"${after}"`));
    const re = new RegExp(`"key"\\s*:\\s*${JSON.stringify(key).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'g');
    re.lastIndex = start;
    const m = re.exec(text);
    return m ? lineAt(text, m.index) : undefined;
  };
  const fail = (p: string, message: string, key?: string, area?: 'sections' | 'activities'): void => {
    const line = key && area ? lineOfKey(key, area) : undefined;
    problems.push({ path: p, message, ...(key ? { key } : {}), ...(line ? { line } : {}) });
  };
  const str = (
    obj: Json,
    field: string,
    p: string,
    opts: { max?: number; optional?: boolean; key?: string; area?: 'sections' | 'activities' } = {},
  ): string | undefined => {
    const v = obj[field];
    if (v === undefined || v === null) {
      if (!opts.optional) fail(`${p}.${field}`, 'is required', opts.key, opts.area);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      fail(`${p}.${field}`, 'must be a non-empty string', opts.key, opts.area);
      return undefined;
    }
    if (v.length > (opts.max ?? 1000)) fail(`${p}.${field}`, `must be at most ${opts.max ?? 1000} characters`, opts.key, opts.area);
    return v;
  };
  const onlyFields = (obj: Json, allowed: readonly string[], p: string, key?: string, area?: 'sections' | 'activities'): void => {
    for (const k of Object.keys(obj))
      if (!allowed.includes(k)) fail(`${p}.${k}`, `unknown field (allowed: ${allowed.join(', ')})`, key, area);
  };

  if (!isObject(data)) throw new CatalogFileError(file, [{ path: '$', message: 'must be a JSON object' }]);
  onlyFields(
    data,
    [
      '$schema',
      'formatVersion',
      'key',
      'name',
      'provider',
      'version',
      'publishedOn',
      'sourceTitle',
      'sourceUrl',
      'publisher',
      'license',
      'retrievedOn',
      'sourcePath',
      'parties',
      'sections',
      'activities',
    ],
    '$',
  );
  if (data.formatVersion !== CATALOG_FORMAT_VERSION) fail('$.formatVersion', `must be ${CATALOG_FORMAT_VERSION}`);
  const key = str(data, 'key', '$', { max: 64 });
  if (key && !CATALOG_KEY.test(key)) fail('$.key', 'must be lowercase letters, digits and dashes (2-64), e.g. ovhcloud-private-exchange');
  const name = str(data, 'name', '$', { max: 200 });
  const provider = str(data, 'provider', '$', { max: 200 });
  const version = str(data, 'version', '$', { max: 64 });
  if (version && (!KEY.test(version) || version === 'latest'))
    fail('$.version', 'must be letters, digits, dots, dashes or underscores, and not "latest"');
  const publishedOn = str(data, 'publishedOn', '$', { max: 10 });
  if (publishedOn && !isRealDate(publishedOn)) fail('$.publishedOn', 'must be a date YYYY-MM-DD');
  const sourceTitle = str(data, 'sourceTitle', '$', { max: 500 });
  const sourceUrl = str(data, 'sourceUrl', '$', { max: 2000, optional: true }) ?? null;
  if (sourceUrl && !/^https?:\/\/\S+$/.test(sourceUrl)) fail('$.sourceUrl', 'must be an http(s) URL');
  const publisher = str(data, 'publisher', '$', { max: 200, optional: true }) ?? null;
  const license = str(data, 'license', '$', { max: 200, optional: true }) ?? null;
  const retrievedOn = str(data, 'retrievedOn', '$', { max: 10, optional: true }) ?? null;
  if (retrievedOn && !isRealDate(retrievedOn)) fail('$.retrievedOn', 'must be a date YYYY-MM-DD');
  const sourcePath = str(data, 'sourcePath', '$', { max: 500, optional: true }) ?? null;
  if (sourcePath && (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(sourcePath) || sourcePath.split('/').includes('..')))
    fail('$.sourcePath', 'must be a relative path inside the repository (letters, digits, . _ - and /, no "..")');

  const parties: string[] = [];
  if (!Array.isArray(data.parties) || data.parties.length < 2) {
    fail('$.parties', 'must list at least two parties, including "customer"');
  } else {
    data.parties.forEach((party, i) => {
      if (typeof party !== 'string' || !/^[a-z][a-z_]{0,31}$/.test(party)) fail(`$.parties[${i}]`, 'must be a lowercase name');
      else if (parties.includes(party)) fail(`$.parties[${i}]`, `"${party}" is listed twice`);
      else parties.push(party);
    });
    if (!parties.includes('customer')) fail('$.parties', 'must include "customer"');
  }

  const sections: SectionDefinition[] = [];
  if (!Array.isArray(data.sections) || data.sections.length === 0) {
    fail('$.sections', 'must be a non-empty array');
  } else {
    data.sections.forEach((raw, i) => {
      const p = `$.sections[${i}]`;
      if (!isObject(raw)) return fail(p, 'must be an object');
      const skey = typeof raw.key === 'string' ? raw.key : undefined;
      onlyFields(raw, ['key', 'title', 'phase'], p, skey, 'sections');
      const k = str(raw, 'key', p, { max: 64 });
      if (k && !KEY.test(k)) fail(`${p}.key`, 'must be letters, digits, dots, dashes or underscores', k, 'sections');
      if (k && sections.some((s) => s.key === k)) fail(`${p}.key`, `duplicate section key "${k}"`, k, 'sections');
      const title = str(raw, 'title', p, { max: 300, key: skey, area: 'sections' });
      const phase = raw.phase;
      if (!PHASES.includes(phase as Phase)) fail(`${p}.phase`, `must be one of ${PHASES.join(', ')}`, skey, 'sections');
      if (k && title && PHASES.includes(phase as Phase)) sections.push({ key: k, title, phase: phase as Phase });
    });
  }

  const activities: ActivityDefinition[] = [];
  const seen = new Set<string>();
  if (!Array.isArray(data.activities) || data.activities.length === 0) {
    fail('$.activities', 'must be a non-empty array');
  } else {
    data.activities.forEach((raw, i) => {
      const p = `$.activities[${i}]`;
      if (!isObject(raw)) return fail(p, 'must be an object');
      const akey = typeof raw.key === 'string' ? raw.key : undefined;
      const at = (field: string, message: string): void => fail(`${p}.${field}`, message, akey, 'activities');
      const before = problems.length;
      onlyFields(
        raw,
        ['key', 'section', 'title', 'raci', 'raw', 'certain', 'source', 'note', 'cadence', 'optional'],
        p,
        akey,
        'activities',
      );
      const k = str(raw, 'key', p, { max: 64 });
      if (k && !KEY.test(k)) at('key', 'must be letters, digits, dots, dashes or underscores');
      if (k && seen.has(k)) at('key', `duplicate activity key "${k}"`);
      if (k) seen.add(k);
      const sectionKey = str(raw, 'section', p, { max: 64, key: akey, area: 'activities' });
      const section = sections.find((s) => s.key === sectionKey);
      if (sectionKey && !section) at('section', `unknown section "${sectionKey}" (declare it under sections)`);
      const title = str(raw, 'title', p, { max: 1000, key: akey, area: 'activities' });

      const raci: RaciMap = {};
      if (!isObject(raw.raci)) {
        at('raci', `must be an object with the letters of each party (${parties.join(', ')})`);
      } else {
        for (const party of Object.keys(raw.raci))
          if (!parties.includes(party)) at(`raci.${party}`, `unknown party (declared: ${parties.join(', ')})`);
        for (const party of parties) {
          const letters = raw.raci[party];
          if (typeof letters !== 'string') {
            at(`raci.${party}`, 'must be a string of letters R, A, C, I ("" for none)');
          } else if (!LETTERS.test(letters)) {
            at(`raci.${party}`, `"${letters}" has letters other than R, A, C, I`);
          } else if (new Set(letters).size !== letters.length) {
            at(`raci.${party}`, `"${letters}" repeats a letter`);
          } else {
            raci[party] = canonicalLetters(letters);
          }
        }
        if (Object.keys(raci).length === parties.length && !Object.values(raci).some((l) => /[RA]/.test(l))) {
          at('raci', 'no party is Responsible or Accountable');
        }
      }
      const rawText = raw.raw;
      if (typeof rawText !== 'string' || !/^[RACI]+$/.test(rawText)) at('raw', 'must be the published cell letters (R, A, C, I)');
      if (typeof raw.certain !== 'boolean') at('certain', 'must be true or false');
      if (raw.source !== 'table' && raw.source !== 'reading') at('source', 'must be "table" or "reading"');
      const note = str(raw, 'note', p, { max: 2000, optional: true, key: akey, area: 'activities' }) ?? null;
      if (raw.optional !== undefined && typeof raw.optional !== 'boolean') at('optional', 'must be true or false');

      const duty = Object.keys(raci).length === parties.length && isCustomerDuty(raci);
      const cadence = raw.cadence ?? null;
      if (cadence !== null && !CADENCES.includes(cadence as Cadence)) {
        at('cadence', `must be one of ${CADENCES.join(', ')}`);
      } else if (duty && cadence === null) {
        at('cadence', 'is required for a customer duty (the customer holds R or A)');
      } else if (!duty && cadence !== null && Object.keys(raci).length === parties.length) {
        at('cadence', 'is only for customer duties (the customer holds neither R nor A here)');
      }
      if (raw.optional === true && !duty) at('optional', 'only a customer duty can be optional');

      if (problems.length === before && k && section && title) {
        activities.push({
          key: k,
          section: section.key,
          title,
          phase: section.phase,
          raci,
          raw: rawText as string,
          certain: raw.certain as boolean,
          source: raw.source as 'table' | 'reading',
          note,
          cadence: cadence as Cadence | null,
          optional: raw.optional === true,
        });
      }
    });
  }
  for (const s of sections) {
    if (!activities.some((a) => a.section === s.key) && problems.length === 0)
      fail(`$.sections`, `section "${s.key}" has no activity`, s.key, 'sections');
  }

  if (problems.length > 0 || !key || !name || !provider || !version || !publishedOn || !sourceTitle) {
    throw new CatalogFileError(file, problems.length > 0 ? problems : [{ path: '$', message: 'incomplete catalog' }]);
  }
  const body = {
    formatVersion: CATALOG_FORMAT_VERSION,
    key,
    name,
    provider,
    version,
    publishedOn,
    sourceTitle,
    sourceUrl,
    parties,
    sections,
    activities,
  };
  return {
    ...body,
    attribution: { publisher, license, retrievedOn, sourcePath },
    contentHash: createHash('sha256').update(canonicalJson(body)).digest('hex'),
  };
}

/** Reads and validates every `*.json` catalog file in dir (sorted by name). */
export function loadCatalogDir(dir: string): CatalogDefinition[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const catalogs = files.map((f) => parseCatalog(fs.readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f)));
  const ids = new Set<string>();
  for (const c of catalogs) {
    const id = `${c.key}@${c.version}`;
    if (ids.has(id)) throw new CatalogFileError(dir, [{ path: '$', message: `${id} is defined by two files` }]);
    ids.add(id);
  }
  return catalogs;
}
