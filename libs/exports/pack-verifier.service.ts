import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { AuditExportReader } from '../audit';
import type { TenantContext } from '../core';
import { PackUnreadableError } from './exports.errors';
import { openZipEntry, readZipDirectory, ZipReadError } from './zip/zip-reader';

export interface PackVerification {
  /** The manifest's hash is recorded in this tenant's audit trail, every file matches, none missing or added. */
  valid: boolean;
  manifest: {
    sha256: string;
    /** The `evidence_pack.generated` event of this tenant that recorded this manifest hash, if any. */
    recordedAt: { seq: number; at: string; packId: string } | null;
    /** The tenant the manifest names is the one asked about. */
    tenantMatches: boolean;
  };
  /** Only for a pack upload: each file listed by the manifest, with its hash in the upload. */
  files: { path: string; expected: string; actual: string | null; match: boolean }[];
  /** Entries of the upload the manifest does not list. */
  unexpected: string[];
}

interface ManifestShape {
  tenant?: { id?: unknown };
  files?: { path?: unknown; sha256?: unknown }[];
}

const sha256Of = async (stream: Readable): Promise<string> => {
  const hash = createHash('sha256');
  for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
};

/**
 * Checks an uploaded pack (ZIP) or manifest (JSON) against the tenant's audit trail: the manifest's
 * sha256 must be one this tenant recorded when it built a pack, and, for a pack, each file's sha256
 * must be the manifest's. The upload is spooled to a temporary file (a ZIP is read from its end).
 */
@Injectable()
export class PackVerifierService {
  constructor(private readonly audit: AuditExportReader) {}

  async verify(ctx: TenantContext, upload: Readable): Promise<PackVerification> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-verify-'));
    const file = path.join(dir, 'upload');
    try {
      await pipeline(upload, fs.createWriteStream(file));
      const head = Buffer.alloc(4);
      const fd = fs.openSync(file, 'r');
      fs.readSync(fd, head, 0, 4, 0);
      fs.closeSync(fd);
      if (head.readUInt32LE(0) === 0x04034b50) return await this.verifyZip(ctx, file);
      const stat = fs.statSync(file);
      if (stat.size > 256 * 1024 * 1024) throw new PackUnreadableError('a manifest larger than 256 MiB');
      const bytes = fs.readFileSync(file);
      return await this.verifyManifest(ctx, bytes, null);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private async verifyZip(ctx: TenantContext, file: string): Promise<PackVerification> {
    let entries;
    try {
      entries = await readZipDirectory(file);
    } catch (error) {
      if (error instanceof ZipReadError) throw new PackUnreadableError(`the ZIP cannot be read (${error.message})`);
      throw error;
    }
    const manifestEntry = entries.find((e) => e.name === 'manifest.json');
    if (!manifestEntry) throw new PackUnreadableError('the ZIP has no manifest.json');
    if (manifestEntry.size > 256 * 1024 * 1024) throw new PackUnreadableError('a manifest larger than 256 MiB');
    const chunks: Buffer[] = [];
    for await (const c of (await openZipEntry(file, manifestEntry)) as AsyncIterable<Buffer>) chunks.push(c);
    const actual = new Map<string, string>();
    for (const e of entries) {
      if (e.name === 'manifest.json' || e.name.endsWith('/')) continue;
      try {
        actual.set(e.name, await sha256Of(await openZipEntry(file, e)));
      } catch {
        actual.set(e.name, 'unreadable');
      }
    }
    return this.verifyManifest(ctx, Buffer.concat(chunks), actual);
  }

  private async verifyManifest(ctx: TenantContext, bytes: Buffer, actual: Map<string, string> | null): Promise<PackVerification> {
    let manifest: ManifestShape;
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as ManifestShape;
      // JSON.parse also answers null, numbers and strings.
      if (typeof manifest !== 'object' || (manifest as unknown) === null) throw new Error('not an object');
    } catch {
      throw new PackUnreadableError('the manifest is not JSON');
    }
    if (typeof manifest !== 'object' || !Array.isArray(manifest.files))
      throw new PackUnreadableError('the JSON is not a pack manifest (no "files")');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const [event] = await this.audit.findByData(ctx, 'evidence_pack.generated', 'manifestSha256', sha256);
    const files: PackVerification['files'] = [];
    const unexpected: string[] = [];
    if (actual) {
      const listed = new Set<string>();
      for (const f of manifest.files) {
        if (typeof f.path !== 'string' || typeof f.sha256 !== 'string') continue;
        listed.add(f.path);
        const got = actual.get(f.path) ?? null;
        files.push({ path: f.path, expected: f.sha256, actual: got, match: got === f.sha256 });
      }
      for (const name of actual.keys()) if (!listed.has(name)) unexpected.push(name);
    }
    const tenantMatches = manifest.tenant?.id === ctx.tenantId;
    return {
      valid: event !== undefined && tenantMatches && files.every((f) => f.match) && unexpected.length === 0,
      manifest: {
        sha256,
        recordedAt: event ? { seq: event.seq, at: event.at, packId: event.entity.id } : null,
        tenantMatches,
      },
      files,
      unexpected,
    };
  }
}
