/** Evidence media types already compressed: stored as they are (deflating them again wastes time). */
const COMPRESSED = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/zip',
  'application/gzip',
  'application/x-7z-compressed',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
]);

export function shouldCompress(mediaType: string | null): boolean {
  return mediaType === null || !COMPRESSED.has((mediaType.split(';')[0] ?? '').trim());
}

/**
 * One path segment readable on every system: no slashes or characters Windows refuses, no control
 * characters, no leading dots, at most 100 characters.
 */
export function segment(text: string): string {
  const clean = Array.from(text.normalize('NFC'), (ch) =>
    ch.charCodeAt(0) < 0x20 || ch === '\u007f' || '<>:"/\\|?*'.includes(ch) ? '_' : ch,
  )
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '_')
    .replace(/[. ]+$/, '');
  const cut = Array.from(clean).slice(0, 100).join('');
  return cut === '' ? '_' : cut;
}

/** `<phase>/<activity key> <title>/<period start>/`: one folder per occurrence. */
export function taskFolder(t: { phase: string; activityKey: string; title: string; periodStart: string }): string {
  return `${segment(t.phase)}/${segment(`${t.activityKey} ${t.title}`)}/${segment(t.periodStart)}`;
}

/** Names within one folder, made unique by a ` (2)`, ` (3)` ... before the extension. */
export class FolderNames {
  private readonly used = new Set<string>();

  take(name: string): string {
    const base = segment(name);
    if (!this.used.has(base.toLowerCase())) {
      this.used.add(base.toLowerCase());
      return base;
    }
    const dot = base.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
    for (let n = 2; ; n++) {
      const candidate = `${stem} (${n})${ext}`;
      if (!this.used.has(candidate.toLowerCase())) {
        this.used.add(candidate.toLowerCase());
        return candidate;
      }
    }
  }
}

export const README = (input: { tenantName: string; packId: string; generatedAt: string; headSeq: number; headHash: string }): string =>
  [
    `Evidence pack ${input.packId}`,
    `Tenant: ${input.tenantName}`,
    `Generated: ${input.generatedAt}`,
    '',
    'What is in it',
    '  manifest.json   every task, evidence item and audit event included, and every file with its sha256',
    '  report.pdf      the status report of the included tasks',
    '  tasks.csv       the included tasks, one per line',
    '  <phase>/<activity key> <title>/<period start>/   the evidence of each task occurrence;',
    '                  links and notes are small .txt files',
    '',
    'How to check it by hand',
    '  1. Every file: its sha256 must equal the one manifest.json lists for its path ("files").',
    '       sha256sum report.pdf          (Linux)',
    '       shasum -a 256 report.pdf      (macOS)',
    '       Get-FileHash report.pdf       (Windows PowerShell)',
    '  2. The manifest itself: compute the sha256 of manifest.json. Dutybook recorded that hash in the',
    '     tenant\'s audit trail (event "evidence_pack.generated", data.manifestSha256) when it built the',
    '     pack. An auditor of the tenant finds it in GET /api/v1/tenants/<tenant>/audit-events, or uploads',
    '     the pack or its manifest to POST /api/v1/tenants/<tenant>/evidence-packs/verify.',
    `  3. The audit trail's head when the pack was built: seq ${input.headSeq}, hash ${input.headHash}.`,
    '     GET /api/v1/tenants/<tenant>/audit-events/verify?expectedHead=<that hash> shows the chain still',
    '     contains it, i.e. nothing recorded up to then was changed afterwards.',
    '',
  ].join('\r\n');
