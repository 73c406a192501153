import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FsEvidenceStorage } from './fs-storage';

let root: string;
let storage: FsEvidenceStorage;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-evidence-'));
  storage = new FsEvidenceStorage(path.join(root, 'evidence'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const key = (): string => `${randomUUID()}/${randomUUID()}`;
const readAll = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};
const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => fs.statSync(path.join(dir, p)).isFile())
    : [];

describe('FsEvidenceStorage', () => {
  it('writes, sizes, reads and deletes', async () => {
    const k = key();
    const data = Buffer.alloc(1_000_000, 7);
    await storage.write(k, Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
    expect(await storage.size(k)).toBe(data.length);
    expect((await readAll((await storage.read(k))!)).equals(data)).toBe(true);
    expect(fs.statSync(storage.pathOf(k)).mode & 0o777).toBe(0o600);
    await storage.delete(k);
    expect(await storage.size(k)).toBeNull();
    expect(await storage.read(k)).toBeNull();
    await storage.delete(k);
  });

  it('reads a byte range, both ends inclusive, across read buffers', async () => {
    const k = key();
    const data = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => i % 251));
    await storage.write(k, Readable.from([data]));
    for (const [start, end] of [
      [0, 0],
      [10, 99],
      [1024 * 1024 - 1, 2 * 1024 * 1024 + 5],
      [data.length - 1, data.length - 1],
    ] as const)
      expect((await readAll((await storage.read(k, { start, end }))!)).equals(data.subarray(start, end + 1))).toBe(true);
  });

  it('leaves nothing when the source fails half-way', async () => {
    const k = key();
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(100_000, 1));
    setImmediate(() => source.destroy(new Error('client went away')));
    await expect(storage.write(k, source)).rejects.toThrow('client went away');
    expect(filesUnder(storage.root).filter((f) => f.endsWith(path.basename(k)) || f.includes('.partial'))).toEqual([]);
    expect(await storage.size(k)).toBeNull();
  });

  it('fails without a trace when the folder cannot be made', async () => {
    const k = key();
    fs.mkdirSync(storage.root, { recursive: true });
    fs.writeFileSync(path.join(storage.root, k.split('/')[0]!), 'a file where the tenant folder goes');
    await expect(storage.write(k, Readable.from([Buffer.from('data')]))).rejects.toThrow();
    await expect(storage.delete(k)).resolves.toBeUndefined();
    expect(await storage.size(k)).toBeNull();
  });

  it('refuses keys it did not generate', async () => {
    for (const bad of ['../etc/passwd', 'a/b', `${randomUUID()}/../../x`, `${randomUUID()}/${randomUUID()}/x`]) {
      await expect(storage.write(bad, Readable.from([Buffer.from('x')]))).rejects.toThrow('refusing key');
      expect(() => storage.pathOf(bad)).toThrow('refusing key');
    }
  });

  it('deletes a tenant’s whole prefix (partial files too), idempotently, and no other tenant’s', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    for (const tenant of [a, a, b]) await storage.write(`${tenant}/${randomUUID()}`, Readable.from([Buffer.from('x')]));
    fs.writeFileSync(path.join(root, 'evidence', a, `${randomUUID()}.partial`), 'half');
    expect(await storage.deleteTenant(a)).toBe(2);
    expect(fs.existsSync(path.join(root, 'evidence', a))).toBe(false);
    expect(await storage.deleteTenant(a)).toBe(0);
    expect(filesUnder(path.join(root, 'evidence', b))).toHaveLength(1);
    await expect(storage.deleteTenant('../etc')).rejects.toThrow('refusing tenant prefix');
  });
});
