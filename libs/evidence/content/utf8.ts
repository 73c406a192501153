import { isUtf8 } from 'node:buffer';

/** Bytes in the UTF-8 sequence a lead byte opens: 1 for ASCII, 2 to 4, or 0 for a byte no sequence starts with. */
function sequenceLength(byte: number): number {
  if (byte < 0x80) return 1;
  if ((byte & 0xe0) === 0xc0) return 2;
  if ((byte & 0xf0) === 0xe0) return 3;
  if ((byte & 0xf8) === 0xf0) return 4;
  return 0;
}

/**
 * Where a sequence cut off by the end of the buffer starts (the buffer's length when none is).
 * Anything malformed is left in place for isUtf8 to refuse.
 */
function incompleteTailStart(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const byte = buf[n - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const length = sequenceLength(byte);
    return length > back ? n - back : n;
  }
  return n;
}

/**
 * Checks, chunk by chunk, that a stream is UTF-8 text: valid sequences (no overlongs, no
 * surrogates, nothing past U+10FFFF) and no NUL byte. Chunks may split a sequence anywhere.
 */
export class Utf8TextValidator {
  private carry: Buffer | null = null;
  private valid = true;

  /** False once the bytes so far cannot be UTF-8 text; it stays false. */
  push(chunk: Uint8Array): boolean {
    if (!this.valid) return false;
    if (chunk.includes(0)) return (this.valid = false);
    let data = chunk;
    if (this.carry) {
      const need = sequenceLength(this.carry[0] ?? 0) - this.carry.length;
      if (chunk.length < need) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return true;
      }
      if (!isUtf8(Buffer.concat([this.carry, chunk.subarray(0, need)]))) return (this.valid = false);
      this.carry = null;
      data = chunk.subarray(need);
    }
    const cut = incompleteTailStart(data);
    if (!isUtf8(data.subarray(0, cut))) return (this.valid = false);
    if (cut < data.length) this.carry = Buffer.from(data.subarray(cut));
    return true;
  }

  /** At the end of the stream: false when the bytes were not text or stop inside a sequence. */
  end(): boolean {
    if (this.carry) this.valid = false;
    return this.valid;
  }
}

/** Whether a whole buffer is UTF-8 text (valid, no NUL); with `more`, it may stop inside a sequence. */
export function isUtf8Text(buf: Uint8Array, more = false): boolean {
  const validator = new Utf8TextValidator();
  return validator.push(buf) && (more || validator.end());
}
