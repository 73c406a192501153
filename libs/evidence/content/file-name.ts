import { ALLOWED_MEDIA_TYPES, extensionFits, isAllowedMediaType } from './media-types';

/** Longest file name kept, in UTF-8 bytes (what most file systems allow). */
export const FILE_NAME_MAX_BYTES = 255;

// Control characters, and invisible characters that change how a name reads: bidirectional
// overrides and isolates (`invoice\u202Efdp.exe` reads as `invoiceexe.pdf`), zero-width ones.
const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0x61c, 0x61c],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x206f],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffb],
];
const isInvisible = (ch: string): boolean => {
  const cp = ch.codePointAt(0) ?? 0;
  return INVISIBLE_RANGES.some(([from, to]) => cp >= from && cp <= to);
};
const RESERVED = /[<>:"/\\|?*]/g;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * The client's file name made safe to keep as metadata and to offer back on download: the last
 * path segment only, Unicode NFC, no control or invisible characters, no characters that file
 * systems reserve, no leading or trailing dots and spaces, no Windows device names, at most 255
 * UTF-8 bytes (the extension kept). Null when nothing is left.
 */
export function sanitizeFileName(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const lastSegment = raw.split(/[/\\]/).pop() ?? '';
  let name = lastSegment
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .replace(/[^]/gu, (ch) => (isInvisible(ch) ? '' : ch))
    .replace(RESERVED, '_')
    .replace(/ {2,}/g, ' ');
  name = name.replace(/^[\s.]+/u, '').replace(/[\s.]+$/u, '');
  if (name === '') return null;
  if (WINDOWS_DEVICE.test(name)) name = `_${name}`;
  if (Buffer.byteLength(name, 'utf8') > FILE_NAME_MAX_BYTES) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name =
      truncateUtf8(name.slice(0, name.length - ext.length), FILE_NAME_MAX_BYTES - Buffer.byteLength(ext, 'utf8')).replace(/[\s.]+$/u, '') +
      ext;
  }
  return name;
}

/**
 * The name a download is offered under: the kept name when its extension fits the sniffed type,
 * otherwise the name with the type's extension added (`run.bat` stored as text comes back as
 * `run.bat.txt`), so the receiving computer never opens it as something else.
 */
export function downloadName(fileName: string | null, mediaType: string, evidenceId: string): string {
  const canonical = isAllowedMediaType(mediaType) ? ALLOWED_MEDIA_TYPES[mediaType][0] : 'bin';
  const name = fileName ?? `evidence-${evidenceId.slice(0, 8)}`;
  if (isAllowedMediaType(mediaType) && extensionFits(name, mediaType)) return name;
  return `${name}.${canonical}`;
}

const encodeRfc5987 = (value: string): string =>
  encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266, RFC 8187). */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%;]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}
