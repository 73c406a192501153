import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SAMPLES } from '../../../test/evidence/files';
import { DomainError } from '../../core';
import { EvidenceInspector, type Inspection } from './inspector';
import { SNIFF_BYTES } from './sniff';

/** Runs bytes (in the given chunks) through an inspector; the bytes that came out, or the error. */
async function inspect(
  chunks: readonly Buffer[],
  options: { maxBytes?: number; fileName?: string | null } = {},
): Promise<{ out: Buffer; inspection: Inspection | null; error: DomainError | null }> {
  const inspector = new EvidenceInspector({
    maxBytes: options.maxBytes ?? 1024 * 1024,
    fileName: options.fileName ?? null,
    declaredType: undefined,
  });
  const out: Buffer[] = [];
  try {
    await pipeline(Readable.from(chunks), inspector, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) out.push(chunk);
    });
    return { out: Buffer.concat(out), inspection: inspector.inspection, error: null };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { out: Buffer.concat(out), inspection: inspector.inspection, error };
  }
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const split = (b: Buffer, size: number): Buffer[] =>
  Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size));

describe('EvidenceInspector', () => {
  it('passes the bytes through unchanged, with their size, sha256 and sniffed type', async () => {
    const file = Buffer.concat([SAMPLES.pdf, Buffer.alloc(3 * SNIFF_BYTES, 0x20)]);
    for (const size of [1, 1000, SNIFF_BYTES, file.length]) {
      const { out, inspection, error } = await inspect(split(file, size));
      expect(error).toBeNull();
      expect(out.equals(file)).toBe(true);
      expect(inspection).toEqual({ size: file.length, sha256: sha256(file), mediaType: 'application/pdf' });
    }
  });

  it('handles a file smaller than the sniffing window', async () => {
    const { out, inspection } = await inspect([SAMPLES.png]);
    expect(out.equals(SAMPLES.png)).toBe(true);
    expect(inspection?.mediaType).toBe('image/png');
  });

  it('lets nothing out before the type is known, and nothing of a refused type', async () => {
    const { out, error } = await inspect(split(Buffer.concat([SAMPLES.exe, Buffer.alloc(2 * SNIFF_BYTES)]), 4096));
    expect(error?.code).toBe('EVIDENCE_TYPE_NOT_ALLOWED');
    expect(out.length).toBe(0);
  });

  it('refuses an empty file', async () => {
    expect((await inspect([])).error?.code).toBe('EVIDENCE_EMPTY');
  });

  it('accepts exactly maxBytes and fails at maxBytes + 1, as soon as it is crossed', async () => {
    const max = 3 * SNIFF_BYTES;
    const exact = Buffer.concat([SAMPLES.pdf, Buffer.alloc(max - SAMPLES.pdf.length, 0x41)]);
    expect((await inspect(split(exact, 5000), { maxBytes: max })).inspection?.size).toBe(max);
    const over = Buffer.concat([exact, Buffer.from('x'), Buffer.alloc(10 * max)]);
    const { error, out } = await inspect(split(over, 5000), { maxBytes: max });
    expect(error?.code).toBe('EVIDENCE_TOO_LARGE');
    expect(error?.status).toBe(413);
    expect(out.length).toBeLessThanOrEqual(max);
  });

  it('checks text to the end: binary after a text start is refused', async () => {
    const file = Buffer.concat([Buffer.alloc(2 * SNIFF_BYTES, 0x61), Buffer.from([0x00, 0x01, 0x02])]);
    expect((await inspect(split(file, 8192), { fileName: 'log.txt' })).error?.code).toBe('EVIDENCE_TYPE_NOT_ALLOWED');
    const cutChar = Buffer.concat([Buffer.alloc(2 * SNIFF_BYTES, 0x61), Buffer.from('€').subarray(0, 2)]);
    expect((await inspect(split(cutChar, 8192))).error?.code).toBe('EVIDENCE_TYPE_NOT_ALLOWED');
  });

  it('accepts long UTF-8 text split anywhere', async () => {
    const file = Buffer.from('Zeile mit Umlauten äöü und € — '.repeat(10_000), 'utf8');
    const { inspection, error } = await inspect(split(file, 4093), { fileName: 'notes.md' });
    expect(error).toBeNull();
    expect(inspection).toEqual({ size: file.length, sha256: sha256(file), mediaType: 'text/markdown' });
  });
});
