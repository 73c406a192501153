import { PHASES, RACI_LETTERS, type Phase } from '../catalog.model';
import { CatalogImportError, IMPORT_LIMITS, type ImportProblem } from './import.types';

/**
 * Bytes of an uploaded or read file to text. Refused whole: more than 20 MB, a NUL byte or
 * bytes that are not UTF-8 (a binary file: a spreadsheet, a PDF, an image). A byte-order mark
 * is dropped and line ends become `\n`, so line numbers are the ones an editor shows.
 */
export function decodeSource(bytes: Uint8Array | string, file: string): string {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  if (size > IMPORT_LIMITS.maxBytes)
    throw new CatalogImportError(file, [
      { message: `the file is ${(size / 1024 / 1024).toFixed(1)} MB; at most ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB are read` },
    ]);
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new CatalogImportError(file, [{ message: 'a binary file, not UTF-8 text: export the catalog as Markdown, CSV or JSON' }]);
    }
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0)
    throw new CatalogImportError(file, [
      { line: lineOf(text, nul), message: 'a binary file (it holds NUL bytes): export the catalog as Markdown, CSV or JSON' },
    ]);
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Lowercase, no accents, words separated by one space: for comparing headers and titles. */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** `Daily operations` -> `daily-operations` (a key where the source has no number). */
export function slug(text: string, max = 64): string {
  return normalize(text).replace(/ /g, '-').slice(0, max).replace(/-+$/, '');
}

const FOOTNOTE_REF = /\[\^([^\]]+)\]/g;

/** Footnote ids a cell refers to (`[^1]`). */
export function footnoteRefs(cell: string): string[] {
  return [...cell.matchAll(FOOTNOTE_REF)].map((m) => m[1] as string);
}

/**
 * The text a reader sees in a Markdown cell or heading: links keep their text, `{.external}`
 * and other attribute lists go, footnote markers go, emphasis and HTML tags go.
 */
export function cleanText(cell: string): string {
  return cell
    .replace(/<(https?:\/\/[^>\s]+)>/g, '$1')
    .replace(/\{[.:#][^}]*\}/g, '')
    .replace(/!\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g, '$1')
    .replace(/\[([^\]^][^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g, '$1')
    .replace(/\[([^\]^][^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(FOOTNOTE_REF, '')
    .replace(/<sup>[^<]*<\/sup>/gi, '')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/[¹²³⁴⁵⁶⁷⁸⁹⁰]+/g, '')
    .replace(/\*\*|__/g, '')
    .replace(/(^|[\s(])[*_]([^*_\s][^*_]*)[*_](?=[\s).,;:]|$)/g, '$1$2')
    .replace(/\\([\\`*_{}[\]()#+\-.!|])/g, '$1')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\s*\*+$/, '');
}

/** A cell or heading too long to be one (checked before cleaning, which must stay cheap). */
export function tooLong(text: string, line: number, cell?: string): ImportProblem | null {
  return text.length > IMPORT_LIMITS.maxCellLength
    ? {
        line,
        ...(cell ? { cell } : {}),
        message: `${text.length} characters; at most ${IMPORT_LIMITS.maxCellLength} are read in a cell or heading`,
      }
    : null;
}

const NO_LETTERS = new Set(['', '-', '–', '—', 'n/a', 'na', 'none', 'aucun', 'aucune', 'ø', '/']);

export interface LettersReading {
  /** The letters in the order published, each once. */
  readonly published: string;
  readonly errors: readonly ImportProblem[];
  readonly warnings: readonly ImportProblem[];
}

/**
 * Letters of one party's cell, in any order and with separators: `RA`, `AR`, `R, A`, `A+R`,
 * `R/A`, `R et A`. Empty, whitespace-only or a dash: no letters. Any other letter is an error.
 */
export function readLetters(cell: string, line: number, column: string): LettersReading {
  const text = cleanText(cell)
    .replace(/\(\d+\)$/, '')
    .trim();
  if (NO_LETTERS.has(text.toLowerCase())) return { published: '', errors: [], warnings: [] };
  const compact = text.replace(/\b(?:and|et)\b/gi, '').replace(/[\s,;+/&|.\-–—]+/g, '');
  const unknown = [...new Set(Array.from(compact.toUpperCase()).filter((c) => !(RACI_LETTERS as readonly string[]).includes(c)))];
  if (unknown.length > 0 || compact.length === 0)
    return {
      published: '',
      errors: [
        {
          line,
          cell: column,
          message: `"${text}" has ${unknown.length > 0 ? `unknown letter(s) ${unknown.map((c) => `"${c}"`).join(', ')}` : 'no letters'}; a RACI cell holds R, A, C and I only`,
        },
      ],
      warnings: [],
    };
  const letters = Array.from(compact.toUpperCase());
  const published = [...new Set(letters)].join('');
  return {
    published,
    errors: [],
    warnings:
      published.length < letters.length ? [{ line, cell: column, message: `"${text}" repeats a letter; read as "${published}"` }] : [],
  };
}

/** Top-level section titles to lifecycle phases, by meaning, in English and French. */
const PHASE_MEANINGS: readonly [Phase, RegExp][] = [
  ['end_of_service', /\b(end of (the )?(service|contract)|fin (de|du) (service|contrat)|termination|resiliation|decommission\w*)\b/],
  ['reversibility', /\b(revert\w*|reversib\w*|exit|sortie|migration out)\b/],
  [
    'before_subscription',
    /\b(before (the )?(subscription|subscribing|ordering|order|purchase)|avant (la )?(souscription|commande)|pre ?sales?|avant vente)\b/,
  ],
  [
    'setup',
    /\b(availability|disponibilite|mise a disposition|set ?up|install\w*|onboarding|mise en (place|service)|provisioning|deployment)\b/,
  ],
  ['operations', /\b(usage|use|utilisation|operations?|operating|exploitation|run|day to day)\b/],
];

/** The phase a section title means, or null when it says none of them. */
export function phaseByMeaning(title: string): Phase | null {
  const t = normalize(title);
  if ((PHASES as readonly string[]).includes(t.replace(/ /g, '_'))) return t.replace(/ /g, '_') as Phase;
  for (const [phase, re] of PHASE_MEANINGS) if (re.test(t)) return phase;
  return null;
}

/** The phase a top-level section number stands for on pages that number them 1 to 5 in lifecycle order. */
export function phaseByNumber(top: string): Phase | null {
  const n = Number(top);
  return Number.isInteger(n) && n >= 1 && n <= PHASES.length ? (PHASES[n - 1] as Phase) : null;
}
