import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { EvidenceEmptyError, EvidenceTooLargeError, EvidenceTypeNotAllowedError } from '../evidence.errors';
import { ALLOWED_TYPE_LIST, type AllowedMediaType } from './media-types';
import { SNIFF_BYTES, sniff, type SniffHints, type SniffResult } from './sniff';
import { Utf8TextValidator } from './utf8';

export interface Inspection {
  readonly size: number;
  readonly sha256: string;
  readonly mediaType: AllowedMediaType;
}

export interface InspectorOptions extends SniffHints {
  readonly maxBytes: number;
}

/**
 * The pass-through an uploaded file flows through on its way to storage: counts the bytes
 * (failing as soon as there are more than maxBytes), hashes them (sha256), holds the first
 * SNIFF_BYTES back until their media type is known (failing on a type that is not allowed) and,
 * for text, checks that every later byte is still UTF-8 text. Nothing reaches storage before the
 * type is known. `inspection` is set once the stream has finished without error.
 */
export class EvidenceInspector extends Transform {
  private readonly hash: Hash = createHash('sha256');
  // Not `size`: upload libraries read a body's `size` as its total length.
  private received = 0;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private verdict: SniffResult | null = null;
  private text: Utf8TextValidator | null = null;
  private done: Inspection | null = null;

  constructor(private readonly options: InspectorOptions) {
    // Room for several network chunks on each side (the default is 16 KiB): the upload does not
    // stop on every chunk while storage writes the one before.
    super({ highWaterMark: 1024 * 1024 });
  }

  /** Size, sha256 and media type of what went through; null until the stream has finished. */
  get inspection(): Inspection | null {
    return this.done;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.options.maxBytes) {
      callback(new EvidenceTooLargeError(this.options.maxBytes));
      return;
    }
    this.hash.update(chunk);
    if (this.verdict === null) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      if (this.heldBytes < SNIFF_BYTES) {
        callback();
        return;
      }
      const head = this.release();
      callback(this.decide(head, false) ?? this.check(head), head);
      return;
    }
    callback(this.check(chunk), chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.received === 0) {
      callback(new EvidenceEmptyError());
      return;
    }
    if (this.verdict === null) {
      const head = this.release();
      const error = this.decide(head, true) ?? this.check(head);
      if (error) {
        callback(error);
        return;
      }
      this.push(head);
    }
    if (this.text && !this.text.end()) {
      callback(this.notText());
      return;
    }
    if (this.verdict?.verdict !== 'binary' && this.verdict?.verdict !== 'text') {
      callback(new Error('inspector: no verdict at the end of the stream'));
      return;
    }
    this.done = { size: this.received, sha256: this.hash.digest('hex'), mediaType: this.verdict.type };
    callback();
  }

  private release(): Buffer {
    const head = this.held.length === 1 ? (this.held[0] as Buffer) : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    return head;
  }

  private decide(head: Buffer, complete: boolean): Error | null {
    const verdict = sniff(head, complete, this.options);
    this.verdict = verdict;
    if (verdict.verdict === 'refused') return new EvidenceTypeNotAllowedError(verdict.detected, verdict.reason, ALLOWED_TYPE_LIST);
    if (verdict.verdict === 'text') this.text = new Utf8TextValidator();
    return null;
  }

  /** For text: the bytes must stay UTF-8 text to the end. */
  private check(chunk: Buffer): Error | null {
    return this.text && !this.text.push(chunk) ? this.notText() : null;
  }

  private notText(): Error {
    return new EvidenceTypeNotAllowedError(
      'application/octet-stream',
      'The file starts as text but further on is not UTF-8 text (binary data, a NUL byte, or another encoding such as UTF-16 or Latin-1): save text as UTF-8, or zip the file.',
      ALLOWED_TYPE_LIST,
    );
  }
}
