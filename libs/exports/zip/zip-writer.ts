import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { crc32, createDeflateRaw } from 'node:zlib';

/**
 * A streaming ZIP writer (PKWARE APPNOTE 6.3): entries are written one after the other as their
 * bytes arrive (general-purpose bit 3, sizes and CRC in a data descriptor), nothing is buffered
 * beyond one chunk, and ZIP64 records are written where a size, an offset or the entry count
 * needs them (more than 65,535 entries, entries or archives past 4 GiB).
 *
 * Why not yazl: yazl computes CRC-32 in JavaScript (buffer-crc32), about 115 MB/s here, which caps
 * the pack below the throughput the benchmark asks for; Node's zlib.crc32 (native, Node >= 20.15)
 * runs at about 800 MB/s. The format parts are small and checked by unzip, Python's zipfile and
 * libarchive in zip-writer.spec.ts.
 */

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const END = 0x06054b50;
const ZIP64_EXTRA = 0x0001;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
/** Bit 3: sizes and CRC follow the data; bit 11: names are UTF-8. */
const FLAGS = 0x0008 | 0x0800;
const VERSION_ZIP64 = 45;
const VERSION_DEFLATE = 20;
/** Made by: Unix (3), spec 4.5; lets the external attributes carry the file mode. */
const MADE_BY = (3 << 8) | VERSION_ZIP64;
const FILE_MODE = 0o100644;

export interface ZipEntryOptions {
  /** Deflate the bytes (text, JSON); false stores them as they are (already compressed types). */
  readonly compress: boolean;
  readonly mtime?: Date;
  /**
   * The size the entry is expected to have, when known. An entry that may reach 4 GiB must say so
   * (or set zip64) so its local header announces 8-byte sizes in the data descriptor.
   */
  readonly expectedSize?: number;
  readonly zip64?: boolean;
  /** Compute the sha256 of the bytes (default true); off only where nobody reads it (format tests). */
  readonly sha256?: boolean;
}

export interface ZipEntryResult {
  readonly name: string;
  readonly size: number;
  readonly compressedSize: number;
  readonly crc32: number;
  /** sha256 of the entry's uncompressed bytes, hex ('' when not asked for). */
  readonly sha256: string;
}

interface CentralRecord {
  readonly name: Buffer;
  readonly crc: number;
  readonly size: number;
  readonly compressedSize: number;
  readonly offset: number;
  readonly method: number;
  readonly dosTime: number;
  readonly dosDate: number;
  readonly zip64Local: boolean;
}

export class ZipEntryError extends Error {}

/**
 * Usage: `const zip = new ZipWriter(); pipe zip.output somewhere; await zip.addStream(...)...;
 * await zip.finish()`. Calls must not overlap (one entry at a time). Writing waits for the
 * consumer (backpressure), so memory stays at one chunk however large the archive.
 */
export class ZipWriter {
  /** The archive's bytes. */
  readonly output: PassThrough;
  private offset = 0;
  private readonly entries: CentralRecord[] = [];
  private readonly names = new Set<string>();
  private busy = false;
  private finished = false;

  constructor(highWaterMark = 1024 * 1024) {
    this.output = new PassThrough({ highWaterMark });
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.offset;
  }

  get entryCount(): number {
    return this.entries.length;
  }

  async addBuffer(name: string, data: Buffer | string, options: ZipEntryOptions): Promise<ZipEntryResult> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    return this.addStream(name, [bytes], { ...options, expectedSize: bytes.length });
  }

  /** Adds an entry from a stream (or any async iterable of chunks); resolves once its bytes are written. */
  async addStream(
    name: string,
    source: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: ZipEntryOptions,
  ): Promise<ZipEntryResult> {
    if (this.finished) throw new ZipEntryError('zip: the archive is finished');
    if (this.busy) throw new ZipEntryError('zip: one entry at a time');
    const encoded = checkName(name);
    if (this.names.has(name)) throw new ZipEntryError(`zip: duplicate entry ${name}`);
    this.names.add(name);
    this.busy = true;
    try {
      const zip64Local = options.zip64 === true || (options.expectedSize ?? 0) >= MAX32;
      const method = options.compress ? 8 : 0;
      const { time, date } = dosDateTime(options.mtime ?? new Date());
      const offset = this.offset;
      await this.write(localHeader(encoded, method, time, date, zip64Local));

      let size = 0;
      let compressedSize = 0;
      let crc = 0;
      const sha = options.sha256 === false ? null : createHash('sha256');
      const deflate = options.compress ? createDeflateRaw({ level: 6 }) : null;
      const drainDeflate = deflate
        ? (async () => {
            for await (const out of deflate as AsyncIterable<Buffer>) {
              compressedSize += out.length;
              await this.write(out);
            }
          })()
        : null;
      try {
        for await (const chunk of source as AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
          const buf: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          if (buf.length === 0) continue;
          size += buf.length;
          crc = crc32(buf, crc);
          sha?.update(buf);
          if (deflate) {
            // Wait for deflate to take more, or for its reader to fail (the output was closed).
            if (!deflate.write(buf) && drainDeflate) await Promise.race([once(deflate, 'drain'), drainDeflate]);
          } else {
            compressedSize += buf.length;
            await this.write(buf);
          }
        }
      } catch (error) {
        deflate?.destroy();
        await drainDeflate?.catch(() => undefined);
        throw error;
      }
      if (deflate && drainDeflate) {
        deflate.end();
        await drainDeflate;
      }
      if (!zip64Local && (size >= MAX32 || compressedSize >= MAX32))
        throw new ZipEntryError(`zip: entry ${name} passed 4 GiB without being announced as ZIP64 (expectedSize or zip64)`);
      if (options.expectedSize !== undefined && options.expectedSize !== size)
        throw new ZipEntryError(`zip: entry ${name} has ${size} bytes, ${options.expectedSize} expected`);
      await this.write(dataDescriptor(crc, compressedSize, size, zip64Local));
      this.entries.push({ name: encoded, crc, size, compressedSize, offset, method, dosTime: time, dosDate: date, zip64Local });
      return { name, size, compressedSize, crc32: crc, sha256: sha ? sha.digest('hex') : '' };
    } finally {
      this.busy = false;
    }
  }

  /** Writes the central directory and ends the output stream; resolves with the archive's size. */
  async finish(): Promise<number> {
    if (this.finished) throw new ZipEntryError('zip: the archive is finished');
    if (this.busy) throw new ZipEntryError('zip: an entry is still being written');
    this.finished = true;
    const cdStart = this.offset;
    for (const e of this.entries) await this.write(centralHeader(e));
    const cdSize = this.offset - cdStart;
    const count = this.entries.length;
    if (count >= MAX16 || cdStart >= MAX32 || cdSize >= MAX32) {
      const zip64EndAt = this.offset;
      await this.write(zip64End(count, cdSize, cdStart));
      await this.write(zip64Locator(zip64EndAt));
    }
    await this.write(endRecord(count, cdSize, cdStart));
    this.output.end();
    return this.offset;
  }

  /** Ends the output with an error (the consumer sees the stream fail, not a short archive). */
  abort(error: Error): void {
    this.finished = true;
    this.output.destroy(error);
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.output.destroyed) throw new ZipEntryError('zip: the output was closed');
    this.offset += chunk.length;
    if (this.output.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.output.off('drain', done);
        this.output.off('close', closed);
        resolve();
      };
      const closed = (): void => {
        this.output.off('drain', done);
        reject(new ZipEntryError('zip: the output was closed'));
      };
      this.output.once('drain', done);
      this.output.once('close', closed);
    });
  }
}

function checkName(name: string): Buffer {
  // Relative paths with forward slashes only; no traversal, no absolute paths, no empty parts.
  if (name.length === 0 || name.startsWith('/') || name.includes('\\') || name.includes('\0'))
    throw new ZipEntryError(`zip: bad entry name ${JSON.stringify(name)}`);
  if (name.split('/').some((part) => part === '' || part === '.' || part === '..'))
    throw new ZipEntryError(`zip: bad entry name ${JSON.stringify(name)}`);
  const encoded = Buffer.from(name, 'utf8');
  if (encoded.length > MAX16) throw new ZipEntryError('zip: entry name too long');
  return encoded;
}

/** MS-DOS date and time (local fields of the UTC instant: archives carry no zone). */
function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

function localHeader(name: Buffer, method: number, time: number, date: number, zip64: boolean): Buffer {
  // A ZIP64 entry carries an extra field with zero sizes here, which tells readers that the data
  // descriptor holds 8-byte sizes.
  const extra = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
  if (zip64) {
    extra.writeUInt16LE(ZIP64_EXTRA, 0);
    extra.writeUInt16LE(16, 2);
  }
  const h = Buffer.alloc(30);
  h.writeUInt32LE(LOCAL_HEADER, 0);
  h.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFLATE, 4);
  h.writeUInt16LE(FLAGS, 6);
  h.writeUInt16LE(method, 8);
  h.writeUInt16LE(time, 10);
  h.writeUInt16LE(date, 12);
  // CRC and sizes: 0 here (bit 3), or 0xffffffff sizes pointing at the ZIP64 extra field.
  h.writeUInt32LE(0, 14);
  h.writeUInt32LE(zip64 ? MAX32 : 0, 18);
  h.writeUInt32LE(zip64 ? MAX32 : 0, 22);
  h.writeUInt16LE(name.length, 26);
  h.writeUInt16LE(extra.length, 28);
  return Buffer.concat([h, name, extra]);
}

function dataDescriptor(crc: number, compressedSize: number, size: number, zip64: boolean): Buffer {
  if (zip64) {
    const d = Buffer.alloc(24);
    d.writeUInt32LE(DATA_DESCRIPTOR, 0);
    d.writeUInt32LE(crc, 4);
    d.writeBigUInt64LE(BigInt(compressedSize), 8);
    d.writeBigUInt64LE(BigInt(size), 16);
    return d;
  }
  const d = Buffer.alloc(16);
  d.writeUInt32LE(DATA_DESCRIPTOR, 0);
  d.writeUInt32LE(crc, 4);
  d.writeUInt32LE(compressedSize, 8);
  d.writeUInt32LE(size, 12);
  return d;
}

function centralHeader(e: CentralRecord): Buffer {
  // The ZIP64 extra field holds, in this order, only the values that do not fit in 32 bits.
  const big: bigint[] = [];
  if (e.size >= MAX32) big.push(BigInt(e.size));
  if (e.compressedSize >= MAX32) big.push(BigInt(e.compressedSize));
  if (e.offset >= MAX32) big.push(BigInt(e.offset));
  const extra = Buffer.alloc(big.length ? 4 + 8 * big.length : 0);
  if (big.length) {
    extra.writeUInt16LE(ZIP64_EXTRA, 0);
    extra.writeUInt16LE(8 * big.length, 2);
    big.forEach((v, i) => extra.writeBigUInt64LE(v, 4 + 8 * i));
  }
  const zip64 = big.length > 0 || e.zip64Local;
  const h = Buffer.alloc(46);
  h.writeUInt32LE(CENTRAL_HEADER, 0);
  h.writeUInt16LE(MADE_BY, 4);
  h.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFLATE, 6);
  h.writeUInt16LE(FLAGS, 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt16LE(e.dosTime, 12);
  h.writeUInt16LE(e.dosDate, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(Math.min(e.compressedSize, MAX32), 20);
  h.writeUInt32LE(Math.min(e.size, MAX32), 24);
  h.writeUInt16LE(e.name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  h.writeUInt16LE(0, 32); // comment length
  h.writeUInt16LE(0, 34); // disk number
  h.writeUInt16LE(0, 36); // internal attributes
  h.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
  h.writeUInt32LE(Math.min(e.offset, MAX32), 42);
  return Buffer.concat([h, e.name, extra]);
}

function zip64End(count: number, cdSize: number, cdStart: number): Buffer {
  const r = Buffer.alloc(56);
  r.writeUInt32LE(ZIP64_END, 0);
  r.writeBigUInt64LE(44n, 4); // size of the rest of this record
  r.writeUInt16LE(MADE_BY, 12);
  r.writeUInt16LE(VERSION_ZIP64, 14);
  r.writeUInt32LE(0, 16);
  r.writeUInt32LE(0, 20);
  r.writeBigUInt64LE(BigInt(count), 24);
  r.writeBigUInt64LE(BigInt(count), 32);
  r.writeBigUInt64LE(BigInt(cdSize), 40);
  r.writeBigUInt64LE(BigInt(cdStart), 48);
  return r;
}

function zip64Locator(zip64EndAt: number): Buffer {
  const r = Buffer.alloc(20);
  r.writeUInt32LE(ZIP64_LOCATOR, 0);
  r.writeUInt32LE(0, 4);
  r.writeBigUInt64LE(BigInt(zip64EndAt), 8);
  r.writeUInt32LE(1, 16);
  return r;
}

function endRecord(count: number, cdSize: number, cdStart: number): Buffer {
  const r = Buffer.alloc(22);
  r.writeUInt32LE(END, 0);
  r.writeUInt16LE(Math.min(count, MAX16), 8);
  r.writeUInt16LE(Math.min(count, MAX16), 10);
  r.writeUInt32LE(Math.min(cdSize, MAX32), 12);
  r.writeUInt32LE(Math.min(cdStart, MAX32), 16);
  return r;
}
