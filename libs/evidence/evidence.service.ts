import { createHash, randomUUID } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  APP_CONFIG,
  DOMAIN_EVENT_SINK,
  DomainError,
  isUuid,
  ValidationError,
  type AppConfig,
  type DomainEventSink,
  type TenantContext,
} from '../core';
import { TenantDb } from '../db';
import { TaskEvidenceHooks } from '../tasks';
import { attachmentDisposition, downloadName, sanitizeFileName } from './content/file-name';
import { HashCheckedStream } from './content/hash-check';
import { EvidenceInspector } from './content/inspector';
import { contentTypeHeader } from './content/media-types';
import {
  EvidenceCorruptError,
  EvidenceHasNoFileError,
  EvidenceLinkInvalidError,
  EvidenceNotFoundError,
  EvidenceStorageFullError,
  EvidenceStorageUnavailableError,
  isStorageFull,
  EvidenceUploadIncompleteError,
} from './evidence.errors';
import type { EvidenceEntity, EvidenceKind } from './evidence.entity';
import { EvidenceRepository } from './evidence.repository';
import { toEvidenceView, type EvidenceView } from './evidence.views';
import { EVIDENCE_STORAGE, type EvidenceStorage } from './storage/evidence-storage';

export const DESCRIPTION_MAX = 2000;
export const NOTE_MAX = 20000;
export const URL_MAX = 2048;

/** Files up to this size are read whole, checked, then sent; larger ones are checked in two passes. */
export const VERIFY_IN_MEMORY_BYTES = 4 * 1024 * 1024;

/** A file as it arrives: its bytes, and what the client says about it (metadata only). */
export interface IncomingFile {
  readonly stream: Readable;
  readonly fileName: string | null | undefined;
  readonly declaredType: string | undefined;
}

/** Form fields that may come after the file in a multipart body. */
export interface FileFields {
  readonly description?: string | null;
}

/** A file ready to be served: checked against its sha256 (see openContent). */
export interface EvidenceContent {
  readonly evidence: EvidenceView;
  /** Content-Type: the sniffed type (text with its charset). */
  readonly contentType: string;
  /** Content-Disposition: attachment, under the sanitised name. */
  readonly disposition: string;
  readonly size: number;
  readonly sha256: string;
  readonly body: Buffer | Readable;
}

function normalizeDescription(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string')
    throw new ValidationError('description must be text.', [{ field: 'description', problems: ['description must be a string'] }]);
  const trimmed = value.trim();
  if (trimmed.length > DESCRIPTION_MAX) {
    throw new ValidationError(`description must be at most ${DESCRIPTION_MAX} characters.`, [
      { field: 'description', problems: [`description must be at most ${DESCRIPTION_MAX} characters`] },
    ]);
  }
  return trimmed === '' ? null : trimmed;
}

/** An http(s) link, normalised (WHATWG URL); anything else is refused. */
export function normalizeLink(value: string): string {
  const raw = value.trim();
  if (raw.length === 0) throw new EvidenceLinkInvalidError('it is empty');
  if (raw.length > URL_MAX) throw new EvidenceLinkInvalidError(`it is longer than ${URL_MAX} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EvidenceLinkInvalidError('it is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new EvidenceLinkInvalidError(`the scheme ${url.protocol} is not allowed`);
  if (url.hostname === '') throw new EvidenceLinkInvalidError('it has no host');
  if (url.username !== '' || url.password !== '')
    throw new EvidenceLinkInvalidError('it carries a user name or password; links are shown to every member and auditor');
  if (url.href.length > URL_MAX) throw new EvidenceLinkInvalidError(`it is longer than ${URL_MAX} characters once normalised`);
  return url.href;
}

@Injectable()
export class EvidenceService {
  private readonly logger = new Logger('EvidenceService');
  private readonly maxBytes: number;

  constructor(
    private readonly db: TenantDb,
    private readonly repository: EvidenceRepository,
    private readonly tasks: TaskEvidenceHooks,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    @Inject(EVIDENCE_STORAGE) private readonly storage: EvidenceStorage,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxBytes = config.evidence.maxBytes;
  }

  /**
   * Adds a file: checks the task first (before reading a byte), streams the file to storage under
   * a generated key while counting, hashing and sniffing it, reads the fields that follow it, then
   * records it in one transaction. Whatever fails after the file was stored removes it again.
   * `fields` is called once the file has been read whole.
   */
  async addFile(ctx: TenantContext, taskId: string, file: IncomingFile, fields: () => Promise<FileFields>): Promise<EvidenceView> {
    try {
      await this.db.run(ctx, () => this.tasks.lockForEvidence(ctx, taskId));
    } catch (error) {
      file.stream.destroy();
      throw error;
    }
    const id = randomUUID();
    const key = `${ctx.tenantId.toLowerCase()}/${id}`;
    const fileName = sanitizeFileName(file.fileName);
    const inspector = new EvidenceInspector({ maxBytes: this.maxBytes, fileName, declaredType: file.declaredType });
    let inspectorError: unknown = null;
    let sourceError: unknown = null;
    inspector.on('error', (error) => {
      inspectorError ??= error;
    });
    file.stream.on('error', (error) => {
      sourceError ??= error;
      inspector.destroy(error);
    });
    file.stream.pipe(inspector);
    try {
      await this.storage.write(key, inspector);
    } catch (error) {
      file.stream.unpipe(inspector);
      file.stream.destroy();
      await this.discard(ctx, key);
      if (inspectorError instanceof DomainError) throw inspectorError;
      if (sourceError !== null) throw new EvidenceUploadIncompleteError();
      this.logger.error({
        msg: 'evidence: storage write failed',
        err: error,
        requestId: ctx.requestId,
        tenantId: ctx.tenantId,
        storage: this.storage.kind,
        key,
      });
      // A full disk is not an outage: 507, which retrying does not cure (the driver removed its
      // partial file; discard above removed anything under the final key).
      if (isStorageFull(error)) throw new EvidenceStorageFullError();
      throw new EvidenceStorageUnavailableError();
    }
    const inspection = inspector.inspection;
    try {
      if (inspection === null) throw new Error('evidence: the stored stream finished without an inspection');
      const description = normalizeDescription((await fields()).description);
      return await this.db.run(ctx, async () => {
        await this.tasks.lockForEvidence(ctx, taskId);
        return this.insert(ctx, taskId, {
          id,
          kind: 'file',
          description,
          fileName,
          mediaType: inspection.mediaType,
          size: inspection.size,
          sha256: inspection.sha256,
          storageKey: key,
        });
      });
    } catch (error) {
      await this.discardUnlessRecorded(ctx, id, key);
      throw error;
    }
  }

  async addLink(ctx: TenantContext, taskId: string, input: { url: string; description?: string | null }): Promise<EvidenceView> {
    const url = normalizeLink(input.url);
    const description = normalizeDescription(input.description);
    return this.db.run(ctx, async () => {
      await this.tasks.lockForEvidence(ctx, taskId);
      return this.insert(ctx, taskId, { id: randomUUID(), kind: 'link', description, url });
    });
  }

  async addNote(ctx: TenantContext, taskId: string, input: { text: string; description?: string | null }): Promise<EvidenceView> {
    const text = input.text;
    if (text.trim() === '') throw new ValidationError('text must not be empty.', [{ field: 'text', problems: ['text must not be empty'] }]);
    if (text.length > NOTE_MAX)
      throw new ValidationError(`text must be at most ${NOTE_MAX} characters.`, [
        { field: 'text', problems: [`text must be at most ${NOTE_MAX} characters`] },
      ]);
    const description = normalizeDescription(input.description);
    return this.db.run(ctx, async () => {
      await this.tasks.lockForEvidence(ctx, taskId);
      return this.insert(ctx, taskId, { id: randomUUID(), kind: 'note', description, text });
    });
  }

  async get(ctx: TenantContext, evidenceId: string): Promise<EvidenceView> {
    return toEvidenceView(await this.row(ctx, evidenceId));
  }

  /**
   * A task's evidence, oldest first. TASK_NOT_FOUND for a task that is not in the tenant. Joins
   * the caller's unit of work when there is one (the task detail reads everything in one).
   */
  async listForTask(ctx: TenantContext, taskId: string): Promise<EvidenceView[]> {
    return this.db.run(ctx, async () => {
      await this.tasks.assertExists(ctx, taskId);
      return (await this.repository.forTask(ctx.tenantId, taskId)).map(toEvidenceView);
    });
  }

  /**
   * The file of an evidence, checked against its recorded size and sha256 before anything is
   * sent: EVIDENCE_CORRUPT (logged) when it is missing or differs. Up to VERIFY_IN_MEMORY_BYTES
   * the checked bytes themselves are returned. Larger files are hashed in a first pass, then
   * streamed in a second one through a HashCheckedStream, which fails (rather than ends) if the
   * bytes changed in between, so no client gets a clean, complete response with other bytes.
   */
  async openContent(ctx: TenantContext, evidenceId: string): Promise<EvidenceContent> {
    const row = await this.row(ctx, evidenceId);
    if (row.kind !== 'file' || row.storageKey === null || row.sha256 === null || row.size === null || row.mediaType === null)
      throw new EvidenceHasNoFileError(row.kind);
    const evidence = toEvidenceView(row);
    const key = row.storageKey;
    const expected = { size: Number(row.size), sha256: row.sha256 };
    const corrupt = (reason: 'missing' | 'size' | 'sha256', actual?: { size: number | null; sha256?: string }): EvidenceCorruptError => {
      this.logger.error({
        msg: 'EVIDENCE_CORRUPT: stored evidence file does not match its record',
        requestId: ctx.requestId,
        tenantId: ctx.tenantId,
        evidenceId: row.id,
        key,
        storage: this.storage.kind,
        reason,
        expected,
        actual,
      });
      return new EvidenceCorruptError(reason);
    };
    const size = await this.storageCall(ctx, 'size', () => this.storage.size(key));
    if (size === null) throw corrupt('missing');
    if (size !== expected.size) throw corrupt('size', { size });

    const read = async (): Promise<Readable> => {
      const stream = await this.storageCall(ctx, 'read', () => this.storage.read(key));
      if (stream === null) throw corrupt('missing');
      return stream;
    };
    const hashOf = async (stream: Readable, keep: boolean): Promise<{ size: number; sha256: string; bytes: Buffer | null }> => {
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of stream) {
          const data = chunk as Buffer;
          total += data.length;
          if (total > expected.size) break;
          hash.update(data);
          if (keep) chunks.push(data);
        }
      } catch (error) {
        this.logger.error({
          msg: 'evidence: storage read failed',
          err: error,
          requestId: ctx.requestId,
          tenantId: ctx.tenantId,
          key,
          storage: this.storage.kind,
        });
        throw new EvidenceStorageUnavailableError();
      } finally {
        stream.destroy();
      }
      return { size: total, sha256: hash.digest('hex'), bytes: keep ? Buffer.concat(chunks, Math.min(total, expected.size)) : null };
    };

    const base = {
      evidence,
      contentType: contentTypeHeader(row.mediaType),
      disposition: attachmentDisposition(downloadName(row.fileName, row.mediaType, row.id)),
      size: expected.size,
      sha256: expected.sha256,
    };
    const first = await hashOf(await read(), expected.size <= VERIFY_IN_MEMORY_BYTES);
    if (first.size !== expected.size || first.sha256 !== expected.sha256)
      throw corrupt(first.size !== expected.size ? 'size' : 'sha256', first);
    if (first.bytes) return { ...base, body: first.bytes };

    const checked = new HashCheckedStream(expected, (actual) => corrupt('sha256', actual));
    const source = await read();
    return {
      ...base,
      body: pipeline(source, checked, () => undefined),
    };
  }

  private async row(ctx: TenantContext, evidenceId: string): Promise<EvidenceEntity> {
    if (!isUuid(evidenceId)) throw new EvidenceNotFoundError();
    const row = await this.db.run(ctx, () => this.repository.find(ctx.tenantId, evidenceId));
    if (!row) throw new EvidenceNotFoundError();
    return row;
  }

  private async insert(
    ctx: TenantContext,
    taskId: string,
    e: {
      id: string;
      kind: EvidenceKind;
      description: string | null;
      fileName?: string | null;
      mediaType?: string;
      size?: number;
      sha256?: string;
      storageKey?: string;
      url?: string;
      text?: string;
    },
  ): Promise<EvidenceView> {
    const row = await this.repository.insert({
      id: e.id,
      tenantId: ctx.tenantId,
      taskId,
      kind: e.kind,
      description: e.description,
      fileName: e.fileName ?? null,
      mediaType: e.mediaType ?? null,
      size: e.size === undefined ? null : String(e.size),
      sha256: e.sha256 ?? null,
      storageKey: e.storageKey ?? null,
      url: e.url ?? null,
      text: e.text ?? null,
      submittedBy: ctx.userId,
    });
    await this.tasks.evidenceAdded(ctx, taskId);
    const view = toEvidenceView(row);
    const data =
      e.kind === 'file'
        ? { taskId: view.taskId, kind: e.kind, fileName: view.fileName, mediaType: view.mediaType, size: view.size, sha256: view.sha256 }
        : e.kind === 'link'
          ? { taskId: view.taskId, kind: e.kind, url: view.url }
          : { taskId: view.taskId, kind: e.kind };
    // Last in the transaction: the audit trail's append serialises a tenant's writers.
    await this.events.publish(this.db.em, {
      action: 'evidence.added',
      tenantId: ctx.tenantId,
      actorId: ctx.userId,
      entity: { type: 'evidence', id: view.id },
      data,
      requestId: ctx.requestId,
    });
    return view;
  }

  /** A storage call; its failure is a 503 (logged), not a 500. */
  private async storageCall<T>(ctx: TenantContext, what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      this.logger.error({
        msg: `evidence: storage ${what} failed`,
        err: error,
        requestId: ctx.requestId,
        tenantId: ctx.tenantId,
        storage: this.storage.kind,
      });
      throw new EvidenceStorageUnavailableError();
    }
  }

  /** Best-effort removal of a stored object whose evidence was not recorded. */
  private async discard(ctx: TenantContext, key: string): Promise<void> {
    try {
      await this.storage.delete(key);
    } catch (error) {
      this.logger.error({
        msg: 'evidence: could not remove an unrecorded file; remove it by hand',
        err: error,
        requestId: ctx.requestId,
        tenantId: ctx.tenantId,
        storage: this.storage.kind,
        key,
      });
    }
  }

  /**
   * After a failure past the storage write: removes the file unless its row exists after all (a
   * commit whose acknowledgement was lost). When that cannot be checked, the file is kept (an
   * orphan costs space; a row without its file would lose evidence) and logged.
   */
  private async discardUnlessRecorded(ctx: TenantContext, id: string, key: string): Promise<void> {
    let recorded: boolean;
    try {
      recorded = await this.db.run(ctx, () => this.repository.exists(ctx.tenantId, id));
    } catch (error) {
      this.logger.error({
        msg: 'evidence: upload failed and the database cannot say whether it was recorded; the file is kept',
        err: error,
        requestId: ctx.requestId,
        tenantId: ctx.tenantId,
        storage: this.storage.kind,
        key,
      });
      return;
    }
    if (!recorded) await this.discard(ctx, key);
  }
}
