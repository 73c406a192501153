import { crc32 } from 'node:zlib';
import { gzipSync } from 'node:zlib';

/** A zip archive of stored (uncompressed) entries, valid enough for any unzip tool. */
export function makeZip(entries: readonly { readonly name: string; readonly content: Buffer | string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** A POSIX (ustar) tar archive with one file. */
export function makeTar(name: string, content: Buffer | string): Buffer {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 'latin1');
  header.write('0000000\0', 108, 'latin1');
  header.write('0000000\0', 116, 'latin1');
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write(
    `${Math.floor(Date.UTC(2026, 0, 1) / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
    'latin1',
  );
  header.write('        ', 148, 'latin1');
  header.write('0', 156, 'latin1');
  header.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

const docxEntries = [
  {
    name: '[Content_Types].xml',
    content: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
  },
  { name: '_rels/.rels', content: '<?xml version="1.0"?><Relationships/>' },
  { name: 'word/document.xml', content: '<?xml version="1.0"?><w:document/>' },
];

/** Small but real files of each accepted kind, and some refused ones, built in memory. */
export const SAMPLES = {
  pdf: Buffer.from(
    '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
    'latin1',
  ),
  png: Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000005000157d4b3a40000000049454e44ae426082',
    'hex',
  ),
  jpeg: Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0', 'latin1'),
    Buffer.alloc(64, 7),
    Buffer.from([0xff, 0xd9]),
  ]),
  gif: Buffer.concat([
    Buffer.from('GIF89a', 'latin1'),
    Buffer.from([
      1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21, 0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0,
      0x3b,
    ]),
  ]),
  webp: Buffer.concat([
    Buffer.from('RIFF', 'latin1'),
    Buffer.from([26, 0, 0, 0]),
    Buffer.from('WEBPVP8L', 'latin1'),
    Buffer.from([13, 0, 0, 0, 0x2f, 0, 0, 0, 0x10, 7, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 7, 0]),
  ]),
  tiff: Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), Buffer.alloc(32)]),
  zip: makeZip([{ name: 'logs/restore.log', content: 'restore ok\n' }]),
  docx: makeZip(docxEntries),
  xlsx: makeZip([docxEntries[0]!, docxEntries[1]!, { name: 'xl/workbook.xml', content: '<workbook/>' }]),
  pptx: makeZip([docxEntries[0]!, docxEntries[1]!, { name: 'ppt/presentation.xml', content: '<presentation/>' }]),
  odt: makeZip([
    { name: 'mimetype', content: 'application/vnd.oasis.opendocument.text' },
    { name: 'content.xml', content: '<office:document-content/>' },
  ]),
  ods: makeZip([
    { name: 'mimetype', content: 'application/vnd.oasis.opendocument.spreadsheet' },
    { name: 'content.xml', content: '<office:document-content/>' },
  ]),
  jar: makeZip([
    { name: 'META-INF/MANIFEST.MF', content: 'Manifest-Version: 1.0\nMain-Class: Evil\n' },
    { name: 'Evil.class', content: Buffer.from([0xca, 0xfe, 0xba, 0xbe]) },
  ]),
  gzip: gzipSync(Buffer.from('compressed evidence\n')),
  sevenZip: Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04]), Buffer.alloc(24)]),
  tar: makeTar('restore.log', 'restore ok\n'),
  text: Buffer.from('Backup restore test\n2026-05-12: 14 mailboxes restored in 22 minutes. — ok ✓\n', 'utf8'),
  csv: Buffer.from('date,mailboxes,minutes\n2026-05-12,14,22\n', 'utf8'),
  markdown: Buffer.from('# Restore test\n\n- 14 mailboxes\n- 22 minutes\n', 'utf8'),
  json: Buffer.from('{"restored": 14, "minutes": 22}\n', 'utf8'),
  html: Buffer.from('<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n', 'utf8'),
  htmlWithComment: Buffer.from('<!-- saved from url=(0014)about:internet -->\n<html><script>alert(1)</script></html>', 'utf8'),
  svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>', 'utf8'),
  xml: Buffer.from('<?xml version="1.0"?><report/>', 'utf8'),
  /** A Windows program header (MZ ... PE). */
  exe: Buffer.concat([
    Buffer.from('MZ', 'latin1'),
    Buffer.alloc(58),
    Buffer.from([0x80, 0, 0, 0]),
    Buffer.alloc(64),
    Buffer.from('PE\0\0', 'latin1'),
    Buffer.alloc(200, 0x90),
  ]),
  elf: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]),
  ole: Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]),
  utf16: Buffer.from('\ufeffHello, this is UTF-16 text', 'utf16le'),
  latin1: Buffer.from('Caf\xe9 cr\xe8me: not UTF-8\n', 'latin1'),
  random: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 251)),
};
