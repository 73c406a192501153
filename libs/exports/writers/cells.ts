/** A cell of a tabular export: text, a number, a yes/no, or empty. */
export type Cell = string | number | boolean | null;

/**
 * Characters that make a spreadsheet treat a cell as a formula (or DDE command) when it opens a
 * CSV file: `=`, `+`, `-`, `@`, and tab and carriage return, which some spreadsheets strip before
 * looking (OWASP "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** True when a text cell would be read as a formula. */
export function looksLikeFormula(value: string): boolean {
  return FORMULA_START.test(value);
}

/**
 * The text as it is exported where a spreadsheet could evaluate it: a leading apostrophe, which
 * spreadsheets show as text and which the reader can tell from data (documented in docs/exports.md).
 */
export function neutralizeFormula(value: string): string {
  return looksLikeFormula(value) ? `'${value}` : value;
}
