import { attachmentDisposition, downloadName, FILE_NAME_MAX_BYTES, sanitizeFileName } from './file-name';

describe('sanitizeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\ada\\Desktop\\audit 2026.xlsx', 'audit 2026.xlsx'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['zero\u200Bwidth.txt', 'zerowidth.txt'],
    ['tab\tand\nnewline.txt', 'tab and newline.txt'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['  .hidden  ', 'hidden'],
    ['trailing dots...', 'trailing dots'],
    ['CON.txt', '_CON.txt'],
    ['nul', '_nul'],
    ['Cafe\u0301.pdf', 'Café.pdf'],
    ['日本語のレポート.pdf', '日本語のレポート.pdf'],
  ])('%j -> %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it.each([[''], ['   '], ['...'], ['/'], ['\u202E'], [null], [undefined]])('%j -> null', (raw) => {
    expect(sanitizeFileName(raw)).toBeNull();
  });

  it('shortens long names to 255 UTF-8 bytes, keeping the extension and whole characters', () => {
    const name = sanitizeFileName(`${'é'.repeat(300)}.pdf`);
    expect(name).not.toBeNull();
    expect(Buffer.byteLength(name!, 'utf8')).toBeLessThanOrEqual(FILE_NAME_MAX_BYTES);
    expect(name!.endsWith('é.pdf')).toBe(true);
  });
});

describe('downloadName', () => {
  const id = '0d6f1c1e-8a34-4a51-9e1f-4a1f3c2b7d10';
  it('keeps a name whose extension fits the sniffed type', () => {
    expect(downloadName('report.PDF', 'application/pdf', id)).toBe('report.PDF');
    expect(downloadName('notes.log', 'text/plain', id)).toBe('notes.log');
  });
  it('adds the type extension to a name that says something else', () => {
    expect(downloadName('report.pdf', 'image/png', id)).toBe('report.pdf.png');
    expect(downloadName('run.bat', 'text/plain', id)).toBe('run.bat.txt');
    expect(downloadName('page.html', 'text/plain', id)).toBe('page.html.txt');
    expect(downloadName('README', 'text/markdown', id)).toBe('README.md');
  });
  it('names a file that came without a name after its evidence', () => {
    expect(downloadName(null, 'application/zip', id)).toBe('evidence-0d6f1c1e.zip');
  });
});

describe('attachmentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name', () => {
    expect(attachmentDisposition('report.pdf')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(attachmentDisposition("Café (v2) l'été.pdf")).toBe(
      `attachment; filename="Caf_ (v2) l'_t_.pdf"; filename*=UTF-8''Caf%C3%A9%20%28v2%29%20l%27%C3%A9t%C3%A9.pdf`,
    );
  });
  it('never lets a name break out of the header value', () => {
    const header = attachmentDisposition('a";b\\c%d;e.txt');
    expect(header).toBe(`attachment; filename="a__b_c_d_e.txt"; filename*=UTF-8''a%22%3Bb%5Cc%25d%3Be.txt`);
  });
});
