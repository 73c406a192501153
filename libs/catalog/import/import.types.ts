import { DomainError } from '../../core';
import { CATALOG_ERRORS } from '../catalog.errors';
import type { Cadence, Phase } from '../catalog.model';
import type { CatalogDefinition } from '../catalog.loader';
import type { ActivityMatch } from './activity-match';

export type ImportFormat = 'markdown' | 'csv' | 'json';

/** One problem in a source file: where (line, and cell when there is one) and what. */
export interface ImportProblem {
  /** 1-based line in the source file, when it can be told. */
  readonly line?: number;
  /** The cell at fault: its column header (`Customer`), or a field name. */
  readonly cell?: string;
  readonly message: string;
}

/** The source file is refused whole; every error found is listed (with the warnings so far). */
export class CatalogImportError extends DomainError {
  constructor(
    readonly file: string,
    readonly errors: readonly ImportProblem[],
    readonly warnings: readonly ImportProblem[] = [],
  ) {
    super(CATALOG_ERRORS.CATALOG_IMPORT_INVALID, `${file} refused:\n${errors.map((p) => `  - ${formatProblem(p)}`).join('\n')}`, {
      errors,
      warnings,
    });
  }
}

export function formatProblem(p: ImportProblem): string {
  const at = [p.line ? `line ${p.line}` : '', p.cell ? `cell "${p.cell}"` : ''].filter(Boolean).join(', ');
  return at ? `${at}: ${p.message}` : p.message;
}

/** An explicit pairing of a source row (by title, and section when titles repeat) with a key. */
export interface KeyMapping {
  readonly title: string;
  readonly section?: string;
  /** The key to give that row (usually a previous version's key); `null`: a new activity. */
  readonly key: string | null;
}

export interface ImportOptions {
  /** Shown in problems (the file name). */
  readonly file?: string;
  readonly format?: ImportFormat;
  readonly key?: string;
  readonly version?: string;
  readonly name?: string;
  /** The provider's name (`OVHcloud`): names the catalog and recognises its column. */
  readonly provider?: string;
  readonly publishedOn?: string;
  readonly sourceTitle?: string;
  readonly sourceUrl?: string;
  readonly publisher?: string;
  readonly license?: string;
  readonly retrievedOn?: string;
  readonly sourcePath?: string;
  /** Prefix of generated activity keys (`PX` gives `PX-01`). */
  readonly keyPrefix?: string;
  /**
   * The previous version of this catalog: activities are matched to it by section and title,
   * keep its keys, and keep its cadence, optional flag and note where they still apply.
   */
  readonly previous?: CatalogDefinition;
  readonly mapping?: readonly KeyMapping[];
}

/** A section as read from the source, its phase resolved. */
export interface SourceSection {
  readonly key: string;
  readonly title: string;
  readonly phase: Phase;
  readonly line: number;
}

/** One activity row as read from the source, before keys and defaults. */
export interface SourceRow {
  readonly line: number;
  readonly section: string;
  readonly title: string;
  /** Letters per party in canonical order (`""` for none). */
  readonly raci: Readonly<Record<string, string>>;
  /** The letters as published, cell after cell. */
  readonly raw: string;
  readonly key?: string;
  readonly cadence?: Cadence;
  readonly note?: string;
  readonly optional?: boolean;
  /** Where the file says so (a CSV written by catalogToCsv): the split is a reading, not a certainty. */
  readonly certain?: boolean;
  readonly source?: 'table' | 'reading';
}

/** What a format reader gives the assembler. */
export interface SourceReading {
  readonly title?: string;
  readonly publishedOn?: string;
  /** The provider as named by a column header, when the options did not name it. */
  readonly providerName?: string;
  readonly parties: readonly string[];
  readonly sections: readonly SourceSection[];
  readonly rows: readonly SourceRow[];
  readonly errors: readonly ImportProblem[];
  readonly warnings: readonly ImportProblem[];
}

export interface ImportCounts {
  readonly activities: number;
  readonly customerDuties: number;
  readonly providerCommitments: number;
  readonly uncertain: number;
}

export interface ImportResult {
  /** The validated catalog, as the loader gives it. */
  readonly catalog: CatalogDefinition;
  /** The same catalog in the canonical file format (what a seed file holds). */
  readonly document: Record<string, unknown>;
  readonly counts: ImportCounts;
  readonly warnings: readonly ImportProblem[];
  /** How each activity got its key: from the source, a mapping, or a match with the previous version. */
  readonly matches: readonly ActivityMatch[];
  /** Keys of the previous version that no activity matched. */
  readonly unmatchedPrevious: readonly string[];
}

/** Hostile-input limits: checked before anything is parsed. */
export const IMPORT_LIMITS = {
  maxBytes: 20 * 1024 * 1024,
  maxColumns: 64,
  maxActivities: 5000,
  /** Characters in one cell or heading; longer ones are refused before any cleaning runs on them. */
  maxCellLength: 2000,
} as const;
