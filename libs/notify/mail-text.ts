/**
 * Text that people typed (names of users and organisations, task titles of imported catalogs,
 * review comments) goes into mails. Control characters there can fake lines and headers in the
 * text part (CR, LF), hide or reorder what a reader sees (the bidi overrides and isolates
 * U+202A-U+202E, U+2066-U+2069: "Invoice" displayed from a string that reads otherwise), or upset
 * mail clients (other C0, DEL, C1). They are removed before a string reaches a mail.
 */

// \p{Cc} is C0, DEL and C1. Line breaks (LF, CR, VT, FF, NEL, U+2028, U+2029) become a space in
// names; the bidi embeddings, overrides and isolates and the invisible direction marks go.
const LINE_BREAKING = /[\r\n\v\f\u0085\u2028\u2029]+/g;
const BIDI = '\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C';
const CONTROLS = new RegExp(`\\p{Cc}|[${BIDI}]`, 'gu');
const CONTROLS_BUT_LF = new RegExp(`[^\\P{Cc}\\n]|[${BIDI}\\u2028\\u2029]`, 'gu');

/** A name or title on one line: line breaks and tabs become one space, other controls go. */
export function mailName(s: string): string {
  return s.replace(LINE_BREAKING, ' ').replace(/\t/g, ' ').replace(CONTROLS, '').replace(/ {2,}/g, ' ').trim();
}

/** Multi-line text (a comment, a paragraph we compose): LF stays a line break, CR and every other control goes. */
export function mailText(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(CONTROLS_BUT_LF, '');
}
