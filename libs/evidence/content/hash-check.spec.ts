import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HashCheckedStream } from './hash-check';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function through(chunks: Buffer[], expected: { size: number; sha256: string }): Promise<{ received: Buffer; error: Error | null }> {
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      callback();
    },
  });
  try {
    await pipeline(Readable.from(chunks), new HashCheckedStream(expected, () => new Error('mismatch')), sink);
    return { received: Buffer.concat(received), error: null };
  } catch (error) {
    return { received: Buffer.concat(received), error: error as Error };
  }
}

describe('HashCheckedStream', () => {
  const chunks = [Buffer.from('first chunk, '), Buffer.from('second chunk, '), Buffer.from('last chunk')];
  const whole = Buffer.concat(chunks);

  it('passes matching bytes through whole', async () => {
    const { received, error } = await through(chunks, { size: whole.length, sha256: sha256(whole) });
    expect(error).toBeNull();
    expect(received.equals(whole)).toBe(true);
  });

  it('fails on changed bytes before releasing the last chunk', async () => {
    const tampered = [chunks[0]!, Buffer.from('SECOND chunk, '), chunks[2]!];
    const { received, error } = await through(tampered, { size: whole.length, sha256: sha256(whole) });
    expect(error?.message).toBe('mismatch');
    expect(received.length).toBeLessThan(whole.length);
  });

  it('fails on missing or extra bytes', async () => {
    expect((await through(chunks.slice(0, 2), { size: whole.length, sha256: sha256(whole) })).error?.message).toBe('mismatch');
    expect((await through([...chunks, Buffer.from('!')], { size: whole.length, sha256: sha256(whole) })).error?.message).toBe('mismatch');
  });
});
