import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertStorageKey, assertTenantPrefix, type ByteRange, type EvidenceStorage } from './evidence-storage';

// Not `instanceof Error`: errors from Node's own modules may come from another realm (jest).
const isMissing = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');

/** How much of an upload may wait in memory for the disk (per upload). */
const WRITE_BUFFER_BYTES = 1024 * 1024;
/** How much one read of a stored file takes (downloads, exports, checks). */
const READ_BUFFER_BYTES = 1024 * 1024;

/** fsync a folder, so a rename or an unlink in it survives a crash. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Evidence files under a folder (DATA_DIR/evidence by default): `<root>/<tenantId>/<evidenceId>`,
 * mode 600. A file is written as `<evidenceId>.partial`, fsynced, then renamed: a file under its
 * final name is always complete, and a failed write leaves nothing.
 */
export class FsEvidenceStorage implements EvidenceStorage {
  readonly kind = 'fs';

  constructor(readonly root: string) {}

  /** The file of a key (for tests and operators). */
  pathOf(key: string): string {
    assertStorageKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async write(key: string, body: Readable): Promise<void> {
    const final = this.pathOf(key);
    const partial = `${final}.partial`;
    // A source failing before it is read surfaces through the pipeline below, not as an unhandled event.
    body.on('error', () => undefined);
    try {
      await fs.promises.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
      // A write stream with a 1 MiB buffer: while one write is in flight the upload keeps
      // arriving, and what arrived meanwhile goes down in one writev. (Awaiting one write per
      // chunk of ~64 KiB paused the socket on every chunk: an upload ran at the pace of the
      // thread pool's round trips, about a third of the disk's.) `flush` fsyncs before the close,
      // which the pipeline waits for; `wx` refuses to write over an existing file.
      await pipeline(body, fs.createWriteStream(partial, { flags: 'wx', mode: 0o600, highWaterMark: WRITE_BUFFER_BYTES, flush: true }));
      await fs.promises.rename(partial, final);
      await syncDir(path.dirname(final));
    } catch (error) {
      body.destroy();
      await fs.promises.rm(partial, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const handle = await fs.promises.open(this.pathOf(key), 'r');
      // 1 MiB reads: a download of a 2 GiB pack is 2,048 trips to the thread pool, not 8,192.
      return handle.createReadStream({ highWaterMark: READ_BUFFER_BYTES, ...(range ? { start: range.start, end: range.end } : {}) });
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await fs.promises.stat(this.pathOf(key))).size;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    for (const target of [file, `${file}.partial`]) {
      try {
        await fs.promises.unlink(target);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
  }

  async deleteTenant(tenantId: string): Promise<number> {
    assertTenantPrefix(tenantId);
    const dir = path.join(this.root, tenantId);
    let names: string[];
    try {
      names = await fs.promises.readdir(dir);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    // Files one by one (a crash half-way leaves the rest for the job's retry), then the folder.
    for (const name of names) await fs.promises.rm(path.join(dir, name), { force: true, recursive: true });
    await fs.promises.rm(dir, { force: true, recursive: true });
    await syncDir(this.root).catch(() => undefined);
    return names.filter((n) => !n.endsWith('.partial')).length;
  }
}
