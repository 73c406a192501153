import { makeZip, SAMPLES } from '../../../test/evidence/files';
import { SNIFF_BYTES, sniff, type SniffResult } from './sniff';

const hints = (fileName: string | null = null, declaredType?: string): { fileName: string | null; declaredType: string | undefined } => ({
  fileName,
  declaredType,
});
const typeOf = (result: SniffResult): string =>
  result.verdict === 'refused' ? `refused:${result.detected}` : `${result.verdict}:${result.type}`;

describe('sniff', () => {
  it.each([
    ['pdf', 'binary:application/pdf'],
    ['png', 'binary:image/png'],
    ['jpeg', 'binary:image/jpeg'],
    ['gif', 'binary:image/gif'],
    ['webp', 'binary:image/webp'],
    ['tiff', 'binary:image/tiff'],
    ['zip', 'binary:application/zip'],
    ['docx', 'binary:application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['xlsx', 'binary:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['pptx', 'binary:application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    ['odt', 'binary:application/vnd.oasis.opendocument.text'],
    ['ods', 'binary:application/vnd.oasis.opendocument.spreadsheet'],
    ['gzip', 'binary:application/gzip'],
    ['sevenZip', 'binary:application/x-7z-compressed'],
    ['tar', 'binary:application/x-tar'],
    ['text', 'text:text/plain'],
  ] as const)('recognises %s from its bytes', (sample, expected) => {
    expect(typeOf(sniff(SAMPLES[sample], true, hints()))).toBe(expected);
  });

  it.each([
    ['exe', 'application/x-msdownload'],
    ['elf', 'application/x-executable'],
    ['ole', 'application/x-ole-storage'],
    ['jar', 'application/java-archive'],
    ['html', 'text/html'],
    ['htmlWithComment', 'text/html'],
    ['svg', 'image/svg+xml'],
    ['xml', 'application/xml'],
    ['utf16', 'application/octet-stream'],
    ['latin1', 'application/octet-stream'],
    ['random', 'application/octet-stream'],
  ] as const)('refuses %s', (sample, detected) => {
    const result = sniff(SAMPLES[sample], true, hints());
    expect(result).toEqual(expect.objectContaining({ verdict: 'refused', detected }));
  });

  it('never lets the name or declared type make a file acceptable', () => {
    expect(sniff(SAMPLES.exe, true, hints('report.pdf', 'application/pdf')).verdict).toBe('refused');
    expect(sniff(SAMPLES.html, true, hints('notes.txt', 'text/plain')).verdict).toBe('refused');
    expect(sniff(SAMPLES.random, true, hints('photo.png', 'image/png')).verdict).toBe('refused');
  });

  it('keeps the sniffed type when the name says something else', () => {
    expect(typeOf(sniff(SAMPLES.png, true, hints('report.pdf', 'application/pdf')))).toBe('binary:image/png');
    expect(typeOf(sniff(SAMPLES.pdf, true, hints('image.png', 'image/png')))).toBe('binary:application/pdf');
  });

  it('chooses among text types by name or declared type, never making binary text', () => {
    expect(typeOf(sniff(SAMPLES.csv, true, hints('export.csv')))).toBe('text:text/csv');
    expect(typeOf(sniff(SAMPLES.csv, true, hints('export', 'text/csv')))).toBe('text:text/csv');
    expect(typeOf(sniff(SAMPLES.markdown, true, hints('README.md')))).toBe('text:text/markdown');
    expect(typeOf(sniff(SAMPLES.json, true, hints('data.json')))).toBe('text:application/json');
    // Not JSON-looking: plain text, whatever the name.
    expect(typeOf(sniff(SAMPLES.text, true, hints('data.json')))).toBe('text:text/plain');
    expect(typeOf(sniff(SAMPLES.text, true, hints('run.bat', 'application/x-msdos-program')))).toBe('text:text/plain');
  });

  it('accepts text that mentions markup further on', () => {
    expect(typeOf(sniff(Buffer.from('Pentest finding: <script>alert(1)</script> was reflected\n'), true, hints('finding.md')))).toBe(
      'text:text/markdown',
    );
  });

  it('tells Office Open XML files apart by their folders, and by name when only the package parts are seen', () => {
    const bare = makeZip([
      { name: '[Content_Types].xml', content: '<Types/>' },
      { name: 'docProps/app.xml', content: '<Properties/>' },
    ]);
    expect(typeOf(sniff(bare, true, hints('minutes.docx')))).toBe(
      'binary:application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(typeOf(sniff(bare, true, hints('archive.zip')))).toBe('binary:application/zip');
  });

  it('treats an OpenDocument type it does not list as a plain zip', () => {
    const odg = makeZip([{ name: 'mimetype', content: 'application/vnd.oasis.opendocument.graphics' }]);
    expect(typeOf(sniff(odg, true, hints('drawing.odg')))).toBe('binary:application/zip');
  });

  it('decides text on an incomplete head when a multi-byte character is cut at its end', () => {
    const text = Buffer.from('é'.repeat(SNIFF_BYTES));
    expect(typeOf(sniff(text.subarray(0, SNIFF_BYTES + 1), false, hints()))).toBe('text:text/plain');
    expect(sniff(text.subarray(0, SNIFF_BYTES + 1), true, hints()).verdict).toBe('refused');
  });

  it('refuses a tar header whose checksum does not add up', () => {
    const tar = Buffer.from(SAMPLES.tar);
    tar[0] = 0x41;
    expect(sniff(tar, true, hints('x.tar')).verdict).toBe('refused');
  });
});
