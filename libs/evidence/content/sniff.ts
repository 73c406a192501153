import { extensionOf, type AllowedMediaType } from './media-types';
import { isUtf8Text } from './utf8';

/** How many leading bytes the sniffer looks at (zip entry names included). */
export const SNIFF_BYTES = 64 * 1024;

export type SniffResult =
  /** A binary type recognised from its signature. */
  | { readonly verdict: 'binary'; readonly type: AllowedMediaType }
  /** Text so far: the rest of the stream must stay UTF-8 without NUL bytes. */
  | { readonly verdict: 'text'; readonly type: AllowedMediaType }
  | { readonly verdict: 'refused'; readonly detected: string; readonly reason: string };

export interface SniffHints {
  /** The client's file name (sanitised); only chooses among text types and Office types. */
  readonly fileName: string | null;
  /** The part's Content-Type as the client declared it; only chooses among text types. */
  readonly declaredType: string | undefined;
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

function startsWith(head: Buffer, signature: Buffer | readonly number[], offset = 0): boolean {
  const sig = Buffer.isBuffer(signature) ? signature : Buffer.from(signature);
  return head.length >= offset + sig.length && head.subarray(offset, offset + sig.length).equals(sig);
}

const refused = (detected: string, reason: string): SniffResult => ({ verdict: 'refused', detected, reason });

/** A tar header block: "ustar" magic at 257 and a checksum that adds up. */
function isTar(head: Buffer): boolean {
  if (head.length < 512 || !startsWith(head, ascii('ustar'), 257)) return false;
  const recorded = parseInt(
    head
      .subarray(148, 156)
      .toString('latin1')
      .replace(/[\0 ]+$/, '')
      .trim(),
    8,
  );
  if (!Number.isInteger(recorded)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (head[i] ?? 0);
  return sum === recorded;
}

interface ZipEntry {
  readonly name: string;
  /** Content of a stored (uncompressed) entry, when it is small and within the head. */
  readonly stored: string | null;
}

/** The local-file headers found in the head of a zip file (names of its first entries). */
function zipEntries(head: Buffer): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const signature = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
  for (let at = head.indexOf(signature); at !== -1 && at + 30 <= head.length; at = head.indexOf(signature, at + 4)) {
    const method = head.readUInt16LE(at + 8);
    const compressedSize = head.readUInt32LE(at + 18);
    const nameLength = head.readUInt16LE(at + 26);
    const extraLength = head.readUInt16LE(at + 28);
    const nameEnd = at + 30 + nameLength;
    if (nameLength === 0 || nameEnd > head.length) continue;
    const name = head.subarray(at + 30, nameEnd).toString('utf8');
    const dataStart = nameEnd + extraLength;
    const stored =
      method === 0 && compressedSize > 0 && compressedSize <= 256 && dataStart + compressedSize <= head.length
        ? head.subarray(dataStart, dataStart + compressedSize).toString('latin1')
        : null;
    entries.push({ name, stored });
  }
  return entries;
}

const ODF_TYPES: Readonly<Record<string, AllowedMediaType>> = {
  'application/vnd.oasis.opendocument.text': 'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet': 'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation': 'application/vnd.oasis.opendocument.presentation',
};

const OOXML_BY_FOLDER: readonly (readonly [string, AllowedMediaType])[] = [
  ['word/', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xl/', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['ppt/', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
];

const OOXML_BY_EXTENSION: Readonly<Record<string, AllowedMediaType>> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** A zip file: an OpenDocument, an Office Open XML document, an app package (refused) or a plain archive. */
function sniffZip(head: Buffer, hints: SniffHints): SniffResult {
  const entries = zipEntries(head);
  const names = entries.map((e) => e.name);
  if (names.includes('META-INF/MANIFEST.MF'))
    return refused('application/java-archive', 'Java archives (.jar) are programs and are not accepted as evidence.');
  if (names.includes('AndroidManifest.xml') || names.includes('classes.dex'))
    return refused('application/vnd.android.package-archive', 'Android packages are programs and are not accepted as evidence.');
  if (names.includes('AppxManifest.xml') || names.includes('AppxSignature.p7x'))
    return refused('application/msix', 'Windows app packages are programs and are not accepted as evidence.');
  const mimetype = entries[0]?.name === 'mimetype' ? entries[0].stored?.trim() : undefined;
  if (mimetype !== undefined) {
    const odf = ODF_TYPES[mimetype];
    return { verdict: 'binary', type: odf ?? 'application/zip' };
  }
  for (const [folder, type] of OOXML_BY_FOLDER) {
    if (names.some((n) => n.startsWith(folder))) return { verdict: 'binary', type };
  }
  const byExtension = OOXML_BY_EXTENSION[extensionOf(hints.fileName)];
  if (byExtension && (names.includes('[Content_Types].xml') || names.includes('_rels/.rels')))
    return { verdict: 'binary', type: byExtension };
  return { verdict: 'binary', type: 'application/zip' };
}

/** After a BOM, white space and HTML comments: does the text start like markup (HTML, SVG, XML)? */
function markupStart(text: string): string | null {
  let rest = text.replace(/^\uFEFF/, '');
  for (;;) {
    rest = rest.trimStart();
    if (!rest.startsWith('<!--')) break;
    const end = rest.indexOf('-->');
    if (end === -1) return 'text/html';
    rest = rest.slice(end + 3);
  }
  if (!/^<[a-zA-Z!?/]/.test(rest)) return null;
  if (/^<svg[\s>/]/i.test(rest)) return 'image/svg+xml';
  if (/^<\?xml/i.test(rest)) return 'application/xml';
  return 'text/html';
}

const TEXT_BY_EXTENSION: Readonly<Record<string, AllowedMediaType>> = {
  csv: 'text/csv',
  md: 'text/markdown',
  markdown: 'text/markdown',
  json: 'application/json',
};
const TEXT_BY_DECLARED: Readonly<Record<string, AllowedMediaType>> = {
  'text/csv': 'text/csv',
  'text/markdown': 'text/markdown',
  'text/x-markdown': 'text/markdown',
  'application/json': 'application/json',
};

function textType(text: string, hints: SniffHints): AllowedMediaType {
  const declared = hints.declaredType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const type = TEXT_BY_EXTENSION[extensionOf(hints.fileName)] ?? TEXT_BY_DECLARED[declared] ?? 'text/plain';
  // JSON only when it starts like JSON (an object or an array).
  if (type === 'application/json' && !/^\uFEFF?\s*[[{]/.test(text)) return 'text/plain';
  return type;
}

/**
 * The media type of a file from its first bytes (`complete`: they are the whole file). The name
 * and declared type never make a file acceptable: they only choose among what the bytes allow.
 */
export function sniff(head: Buffer, complete: boolean, hints: SniffHints): SniffResult {
  if (startsWith(head, ascii('%PDF-'))) return { verdict: 'binary', type: 'application/pdf' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { verdict: 'binary', type: 'image/png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { verdict: 'binary', type: 'image/jpeg' };
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return { verdict: 'binary', type: 'image/gif' };
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return { verdict: 'binary', type: 'image/webp' };
  if (
    startsWith(head, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(head, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return { verdict: 'binary', type: 'image/tiff' };
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return sniffZip(head, hints);
  if (startsWith(head, [0x50, 0x4b, 0x05, 0x06]) && head.length === 22) return { verdict: 'binary', type: 'application/zip' };
  if (startsWith(head, [0x1f, 0x8b, 0x08])) return { verdict: 'binary', type: 'application/gzip' };
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return { verdict: 'binary', type: 'application/x-7z-compressed' };
  if (isTar(head)) return { verdict: 'binary', type: 'application/x-tar' };

  // Named refusals, for a clearer message; anything else unknown is refused below.
  if (startsWith(head, ascii('MZ'))) return refused('application/x-msdownload', 'The file is a Windows program, whatever its name says.');
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46]))
    return refused('application/x-executable', 'The file is a program (ELF), whatever its name says.');
  for (const magic of [
    [0xfe, 0xed, 0xfa, 0xce],
    [0xfe, 0xed, 0xfa, 0xcf],
    [0xce, 0xfa, 0xed, 0xfe],
    [0xcf, 0xfa, 0xed, 0xfe],
    [0xca, 0xfe, 0xba, 0xbe],
  ]) {
    if (startsWith(head, magic))
      return refused('application/x-mach-binary', 'The file is a program (Mach-O or Java class), whatever its name says.');
  }
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    return refused(
      'application/x-ole-storage',
      'Legacy Office files (.doc, .xls, .ppt) and installers (.msi) can carry macros and are not accepted: save the document as PDF or .docx/.xlsx/.pptx.',
    );
  }

  if (isUtf8Text(head, !complete)) {
    const text = head.toString('utf8');
    const markup = markupStart(text);
    if (markup) return refused(markup, 'The file is markup (HTML, SVG or XML), which a browser may run: save it as PDF, or zip it.');
    return { verdict: 'text', type: textType(text, hints) };
  }
  return refused(
    'application/octet-stream',
    'The content is not one of the accepted types (it was recognised from its bytes, not from its name).',
  );
}
