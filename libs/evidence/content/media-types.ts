/**
 * The media types evidence files may have, each with the file-name extensions that go with it
 * (the first is the canonical one, used when a download name needs an extension).
 */
export const ALLOWED_MEDIA_TYPES = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'image/tiff': ['tif', 'tiff'],
  'application/zip': ['zip'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'application/vnd.oasis.opendocument.spreadsheet': ['ods'],
  'application/vnd.oasis.opendocument.presentation': ['odp'],
  'application/gzip': ['gz', 'tgz'],
  'application/x-7z-compressed': ['7z'],
  'application/x-tar': ['tar'],
  // Text: valid UTF-8 without NUL bytes. Plain text takes the usual names of text files.
  'text/plain': [
    'txt',
    'text',
    'log',
    'conf',
    'cfg',
    'ini',
    'yaml',
    'yml',
    'toml',
    'tsv',
    'sql',
    'diff',
    'patch',
    'pem',
    'crt',
    'cer',
    'csr',
    'pub',
    'csv',
    'md',
    'json',
  ],
  'text/csv': ['csv'],
  'text/markdown': ['md', 'markdown'],
  'application/json': ['json'],
} as const satisfies Record<string, readonly string[]>;

export type AllowedMediaType = keyof typeof ALLOWED_MEDIA_TYPES;

export const ALLOWED_TYPE_LIST: readonly AllowedMediaType[] = Object.keys(ALLOWED_MEDIA_TYPES) as AllowedMediaType[];

export function isAllowedMediaType(type: string): type is AllowedMediaType {
  return Object.hasOwn(ALLOWED_MEDIA_TYPES, type);
}

/** The lower-cased extension of a file name (`report.PDF` -> `pdf`), or '' when it has none. */
export function extensionOf(fileName: string | null | undefined): string {
  if (!fileName) return '';
  const dot = fileName.lastIndexOf('.');
  return dot > 0 && dot < fileName.length - 1 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/** Whether a file name's extension is one that goes with the media type. */
export function extensionFits(fileName: string | null | undefined, type: AllowedMediaType): boolean {
  const ext = extensionOf(fileName);
  return ext !== '' && (ALLOWED_MEDIA_TYPES[type] as readonly string[]).includes(ext);
}

/** What the Content-Type header says on download: text gets its charset. */
export function contentTypeHeader(type: string): string {
  return type.startsWith('text/') || type === 'application/json' ? `${type}; charset=utf-8` : type;
}
