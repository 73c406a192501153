import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { checkZip, python, run } from '../../../test/harness/external-tools';
import { ZipEntryError, ZipWriter } from './zip-writer';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-writer-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Writes the archive to a file, leaving holes for chunks of zeros (a sparse file): the large
 * archives below then take neither disk space nor disk time, while every reader still sees the bytes.
 */
function sparseFile(file: string): Writable {
  const fd = fs.openSync(file, 'w');
  let position = 0;
  const zeros = Buffer.alloc(4 * 1024 * 1024);
  return new Writable({
    highWaterMark: 4 * 1024 * 1024,
    write(chunk: Buffer, _enc, done) {
      const zero = chunk.length <= zeros.length && chunk.equals(zeros.subarray(0, chunk.length));
      if (!zero) fs.writeSync(fd, chunk, 0, chunk.length, position);
      position += chunk.length;
      done();
    },
    final(done) {
      fs.ftruncateSync(fd, position);
      fs.closeSync(fd);
      done();
    },
  });
}

/** `size` zero bytes in 4 MiB chunks (one shared buffer: no memory per chunk). */
function zeros(size: number): Readable {
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

async function build(file: string, fill: (zip: ZipWriter) => Promise<void>): Promise<void> {
  const zip = new ZipWriter();
  const done = pipeline(zip.output, sparseFile(file));
  await fill(zip);
  await zip.finish();
  await done;
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('ZipWriter', () => {
  it('writes stored and deflated entries that unzip, Python and bsdtar read back byte for byte', async () => {
    const file = path.join(dir, 'small.zip');
    const text = 'Zeile één — ✓\n'.repeat(5000);
    const binary = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
    const results: Record<string, string> = {};
    await build(file, async (zip) => {
      results['a/notes.txt'] = (await zip.addBuffer('a/notes.txt', text, { compress: true })).sha256;
      results['b/Évidence (1).bin'] = (await zip.addStream('b/Évidence (1).bin', Readable.from([binary]), { compress: false })).sha256;
      results['empty.txt'] = (await zip.addBuffer('empty.txt', '', { compress: true })).sha256;
    });
    expect(await checkZip(file)).toEqual(['a/notes.txt', 'b/Évidence (1).bin', 'empty.txt']);
    expect(results).toEqual({ 'a/notes.txt': sha256(text), 'b/Évidence (1).bin': sha256(binary), 'empty.txt': sha256('') });
    // Bytes as Python's zipfile reads them, and the method chosen per entry.
    const out = await python(
      'import sys,zipfile,hashlib\nz=zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist(): print(i.filename, i.compress_type, hashlib.sha256(z.read(i)).hexdigest())',
      [file],
    );
    expect(out.trim().split('\n')).toEqual([
      `a/notes.txt 8 ${sha256(text)}`,
      `b/Évidence (1).bin 0 ${sha256(binary)}`,
      `empty.txt 8 ${sha256('')}`,
    ]);
    expect(fs.statSync(file).size).toBeLessThan(Buffer.byteLength(text) / 10 + binary.length + 2000);
    const piped = await run('unzip', ['-p', file, 'b/Évidence (1).bin'], undefined);
    expect(piped.stdout.length).toBeGreaterThan(0);
  });

  it('refuses names that would escape the folder, duplicates, and wrong sizes', async () => {
    const zip = new ZipWriter();
    zip.output.resume();
    for (const name of ['../x', '/etc/passwd', 'a//b', 'a\\b', '', 'a/./b'])
      await expect(zip.addBuffer(name, 'x', { compress: false })).rejects.toBeInstanceOf(ZipEntryError);
    await zip.addBuffer('a', 'x', { compress: false });
    await expect(zip.addBuffer('a', 'y', { compress: false })).rejects.toThrow(/duplicate/);
    await expect(zip.addStream('b', Readable.from([Buffer.from('abc')]), { compress: false, expectedSize: 4 })).rejects.toThrow(
      /3 bytes, 4/,
    );
  });

  it('fails the output instead of ending a short archive when a source fails', async () => {
    const zip = new ZipWriter();
    const collected: Buffer[] = [];
    zip.output.on('data', (c: Buffer) => collected.push(c));
    const failed = new Promise<Error>((resolve) => zip.output.on('error', resolve));
    const source = new Readable({
      read() {
        this.destroy(new Error('storage gone'));
      },
    });
    const error = await zip.addStream('x.bin', source, { compress: false }).then(
      () => new Error('no error'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toBe('storage gone');
    zip.abort(error);
    expect((await failed).message).toBe('storage gone');
  });

  it('writes more than 65,535 entries with ZIP64 end records', async () => {
    const file = path.join(dir, 'many.zip');
    const count = 70_000;
    await build(file, async (zip) => {
      for (let i = 0; i < count; i++) await zip.addBuffer(`f/${String(i).padStart(5, '0')}.txt`, `${i}\n`, { compress: false });
    });
    const names = await checkZip(file);
    expect(names).toHaveLength(count);
    expect(names[count - 1]).toBe('f/69999.txt');
    const last = await run('unzip', ['-p', file, 'f/69999.txt']);
    expect(last.stdout).toBe('69999\n');
  }, 120_000);

  it('writes an archive past 4 GiB with an entry past 4 GiB (sparse file: no disk used)', async () => {
    const file = path.join(dir, 'big.zip');
    const big = 4 * 1024 ** 3 + 5 * 1024 * 1024;
    const started = Date.now();
    await build(file, async (zip) => {
      await zip.addBuffer('before.txt', 'before\n', { compress: false });
      const r = await zip.addStream('big.bin', zeros(big), { compress: false, expectedSize: big, sha256: false });
      expect(r.size).toBe(big);
      // This one starts past 4 GiB: its offset needs the ZIP64 extra field.
      await zip.addBuffer('after.txt', 'after\n', { compress: true });
    });
    const built = Date.now();
    expect(fs.statSync(file).size).toBeGreaterThan(big);
    expect(fs.statSync(file).blocks * 512).toBeLessThan(64 * 1024 * 1024);
    // Every tool opens it through its ZIP64 records. Reading the 4 GiB entry once is enough (Python:
    // zipfile checks the CRC when the entry is read to its end, with zlib's fast CRC); unzip tests
    // the entries around it (after.txt sits past 4 GiB), bsdtar lists it.
    const listed = await run('unzip', ['-Zl', file]);
    expect(listed.stdout).toContain(String(big));
    expect((await run('unzip', ['-tqq', file, 'before.txt', 'after.txt'])).stdout).not.toMatch(/error|bad/i);
    expect((await run('unzip', ['-p', file, 'after.txt'])).stdout).toBe('after\n');
    expect((await run('bsdtar', ['-tf', file])).stdout.trim().split('\n')).toEqual(['before.txt', 'big.bin', 'after.txt']);
    const read = await python(
      [
        'import sys,zipfile',
        'z=zipfile.ZipFile(sys.argv[1])',
        'n=0',
        'with z.open("big.bin") as f:',
        '    while True:',
        '        b=f.read(8 << 20)',
        '        if not b: break',
        '        n+=len(b)',
        'print([i.file_size for i in z.infolist()], n)',
      ].join('\n'),
      [file],
    );
    expect(read.trim()).toBe(`[7, ${big}, 6] ${big}`);
    process.stdout.write(`4 GiB archive: built in ${built - started} ms, checked in ${Date.now() - built} ms\n`);
  }, 180_000);
});
