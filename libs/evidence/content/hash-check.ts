import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes a stored file through while hashing it, always one chunk behind: the last chunk is
 * released only once the whole file has matched the expected size and sha256. On a mismatch the
 * stream fails instead of ending, so a reader (an HTTP response) never sees a complete body.
 */
export class HashCheckedStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private pending: Buffer | null = null;
  private bytes = 0;

  constructor(
    private readonly expected: { readonly size: number; readonly sha256: string },
    private readonly onMismatch: (actual: { size: number; sha256: string }) => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    const previous = this.pending;
    this.pending = chunk;
    if (this.bytes > this.expected.size) {
      callback(this.onMismatch({ size: this.bytes, sha256: '' }));
      return;
    }
    callback(null, previous ?? undefined);
  }

  override _flush(callback: TransformCallback): void {
    const sha256 = this.hash.digest('hex');
    if (this.bytes !== this.expected.size || sha256 !== this.expected.sha256) {
      callback(this.onMismatch({ size: this.bytes, sha256 }));
      return;
    }
    if (this.pending) this.push(this.pending);
    this.pending = null;
    callback();
  }
}
