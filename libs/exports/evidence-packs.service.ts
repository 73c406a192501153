import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { AuditExportReader, type AuditEventView } from '../audit';
import { APP_CONFIG, DOMAIN_EVENT_SINK, isUuid, type AppConfig, type DomainEventSink, type Logger, type TenantContext } from '../core';
import { inTransaction, TenantDb, type PgBoss } from '../db';
import { EvidenceExportReader, type ExportEvidence } from '../evidence';
import { TaskExportReader, type ExportTask, type ReviewView, type TaskExportFilter } from '../tasks';
import { EvidencePackEntity, type PackState } from './exports.entities';
import { EvidencePackExpiredError, EvidencePackNotFoundError, EvidencePackNotReadyError, RangeNotSatisfiableError } from './exports.errors';
import { ExportContext } from './export-context';
import { FolderNames, README, shouldCompress, taskFolder } from './pack/pack-paths';
import { csvRecord } from './writers/csv';
import { TASK_CSV_HEADER, taskCells } from './task-rows';
import { statusReportPdf, type ReportTask } from './writers/pdf-report';
import { ZipWriter } from './zip/zip-writer';

export const EVIDENCE_PACK_QUEUE = 'evidence-pack';
export const EVIDENCE_PACK_EXPIRY_QUEUE = 'evidence-pack-expiry';
/** Set by the module: a pg-boss client used only to insert jobs inside our transactions. */
export const PACK_JOBS = Symbol('PACK_JOBS');

/** Tasks read per round trip while building. */
const PAGE = 200;

export interface PackFilter extends TaskExportFilter {
  readonly subscriptionId?: string;
}

export interface EvidencePackView {
  id: string;
  state: PackState;
  filter: Record<string, unknown>;
  requestedBy: string;
  progress: { filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number };
  size: number | null;
  sha256: string | null;
  manifestSha256: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string | null;
}

export interface PackContent {
  readonly body: Readable;
  readonly size: number;
  readonly start: number;
  readonly end: number;
  readonly partial: boolean;
  readonly sha256: string;
  readonly fileName: string;
}

/** A failure of the build that the pack's state explains (no retry helps). */
class PackBuildError extends Error {}

/**
 * Evidence packs: requested over HTTP (a row and a job in one transaction), built by the worker as
 * a streamed ZIP written straight to the evidence storage, downloaded with ranges, expired by a
 * sweep. docs/exports.md describes the pack and how to check it.
 */
@Injectable()
export class EvidencePacksService {
  constructor(
    private readonly db: TenantDb,
    private readonly tasks: TaskExportReader,
    private readonly evidence: EvidenceExportReader,
    private readonly audit: AuditExportReader,
    private readonly context: ExportContext,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    @Inject(PACK_JOBS) private readonly jobs: PgBoss,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async request(ctx: TenantContext, filter: PackFilter): Promise<EvidencePackView> {
    const id = randomUUID();
    return this.db.run(ctx, async () => {
      const repo = this.db.em.getRepository(EvidencePackEntity);
      await repo.insert({ id, tenantId: ctx.tenantId, requestedBy: ctx.userId, filter: { ...filter }, state: 'queued' });
      await this.events.publish(this.db.em, {
        action: 'evidence_pack.requested',
        tenantId: ctx.tenantId,
        actorId: ctx.userId,
        entity: { type: 'evidence_pack', id },
        data: { filter: { ...filter } },
        requestId: ctx.requestId,
      });
      // The job exists if and only if the pack row commits.
      await this.jobs.send(EVIDENCE_PACK_QUEUE, { tenantId: ctx.tenantId, packId: id }, { db: inTransaction(this.db.em) });
      return toView(await repo.findOneByOrFail({ tenantId: ctx.tenantId, id }));
    });
  }

  /**
   * A deleted tenant's packs and calendar feeds, inside the deleting unit of work (docs/tenancy-admin.md),
   * through the owner-run function. Their files share the evidence prefix `<tenantId>/` and are
   * deleted with the evidence files by libs/evidence's job.
   */
  async purgeTenant(tenantId: string): Promise<number> {
    const [row] = await this.db.em.query<{ removed: number }[]>('SELECT exports_purge_tenant($1) AS removed', [tenantId]);
    return row?.removed ?? 0;
  }

  async get(ctx: TenantContext, id: string): Promise<EvidencePackView> {
    return toView(await this.load(ctx, id));
  }

  async list(ctx: TenantContext): Promise<EvidencePackView[]> {
    const rows = await this.db.run(ctx, () =>
      this.db.em.getRepository(EvidencePackEntity).find({ where: { tenantId: ctx.tenantId }, order: { createdAt: 'DESC' }, take: 100 }),
    );
    return rows.map(toView);
  }

  /** The ZIP, whole or a byte range (`start`/`end` inclusive, already checked against the size). */
  async open(ctx: TenantContext, id: string, range: { start: number; end?: number } | null): Promise<PackContent> {
    const pack = await this.load(ctx, id);
    if (pack.state === 'expired' || (pack.state === 'ready' && pack.expiresAt && pack.expiresAt.getTime() <= Date.now()))
      throw new EvidencePackExpiredError();
    if (pack.state !== 'ready' || pack.size === null || pack.sha256 === null) throw new EvidencePackNotReadyError(pack.state);
    const size = Number(pack.size);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    if (range && (start >= size || start > end)) throw new RangeNotSatisfiableError(size);
    // A range reads only its bytes from storage (a seek, or S3's own Range), not the file before it.
    const whole = start === 0 && end === size - 1;
    const stream = await this.evidence.store.read(packKey(pack), whole ? undefined : { start, end });
    if (stream === null) throw new EvidencePackExpiredError();
    return {
      body: stream,
      size,
      start,
      end,
      partial: range !== null,
      sha256: pack.sha256,
      fileName: `evidence-pack-${pack.createdAt.toISOString().slice(0, 10)}-${pack.id.slice(0, 8)}.zip`,
    };
  }

  /** The worker's job: builds the pack; a failure leaves it `failed` with its reason and no file. */
  async build(tenantId: string, packId: string, logger: Logger): Promise<void> {
    if (!isUuid(tenantId) || !isUuid(packId)) throw new Error('evidence-pack job without tenant or pack id');
    const scope = { tenantId, userId: null };
    const pack = await this.db.run(scope, () => this.db.em.getRepository(EvidencePackEntity).findOneBy({ tenantId, id: packId }));
    if (!pack || pack.state === 'ready' || pack.state === 'expired') return;
    // Reading only: the context carries the requester (who the manifest names) with the least role.
    const ctx: TenantContext = { tenantId, userId: pack.requestedBy, role: 'viewer', requestId: `job:evidence-pack:${packId}`, ip: '' };
    const key = packKey(pack);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-pack-'));
    try {
      const result = await this.write(ctx, pack, key, work);
      await this.db.run(ctx, async () => {
        const ttl = this.config.evidencePackTtlHours * 3600 * 1000;
        await this.db.em.getRepository(EvidencePackEntity).update(
          { tenantId, id: packId },
          {
            state: 'ready',
            size: String(result.size),
            sha256: result.sha256,
            manifestSha256: result.manifestSha256,
            filesDone: result.files,
            bytesDone: String(result.bytes),
            finishedAt: new Date(),
            expiresAt: new Date(Date.now() + ttl),
            error: null,
          },
        );
        await this.events.publish(this.db.em, {
          action: 'evidence_pack.generated',
          tenantId,
          actorId: pack.requestedBy,
          entity: { type: 'evidence_pack', id: packId },
          data: { manifestSha256: result.manifestSha256, sha256: result.sha256, size: result.size, files: result.files },
          requestId: ctx.requestId,
        });
      });
      logger.info({ job: EVIDENCE_PACK_QUEUE, tenantId, packId, size: result.size, files: result.files }, 'evidence pack built');
    } catch (error) {
      // storage.write leaves no object when its stream fails; delete anyway in case the failure came after.
      await this.evidence.store.delete(key).catch(() => undefined);
      const reason =
        error instanceof PackBuildError
          ? error.message
          : error instanceof Error && 'code' in error && error.code === 'EVIDENCE_STORAGE_UNAVAILABLE'
            ? 'the evidence storage could not be read or written; request the pack again'
            : 'the pack could not be built; request it again';
      logger.error({ err: error, job: EVIDENCE_PACK_QUEUE, tenantId, packId }, 'evidence pack failed');
      await this.db.run(ctx, () =>
        this.db.em
          .getRepository(EvidencePackEntity)
          // Kept (with its reason) as long as a ready pack would be; the sweep then marks it expired.
          .update(
            { tenantId, id: packId },
            {
              state: 'failed',
              error: reason,
              finishedAt: new Date(),
              expiresAt: new Date(Date.now() + this.config.evidencePackTtlHours * 3600_000),
            },
          ),
      );
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  /** Deletes the files of packs past their expiry; answers how many. */
  async expireDue(logger: Logger): Promise<number> {
    const due = await this.db.em.query<{ tenant_id: string; id: string }[]>('SELECT tenant_id, id FROM exports_expired_packs($1)', [500]);
    for (const row of due) {
      const scope = { tenantId: row.tenant_id, userId: null };
      await this.evidence.store.delete(`${row.tenant_id}/${row.id}`);
      await this.db.run(scope, () =>
        this.db.em.getRepository(EvidencePackEntity).update({ tenantId: row.tenant_id, id: row.id }, { state: 'expired' }),
      );
    }
    if (due.length) logger.info({ job: EVIDENCE_PACK_EXPIRY_QUEUE, expired: due.length }, 'evidence packs expired');
    return due.length;
  }

  private async load(ctx: TenantContext, id: string): Promise<EvidencePackEntity> {
    if (!isUuid(id)) throw new EvidencePackNotFoundError();
    const pack = await this.db.run(ctx, () => this.db.em.getRepository(EvidencePackEntity).findOneBy({ tenantId: ctx.tenantId, id }));
    if (!pack) throw new EvidencePackNotFoundError();
    return pack;
  }

  private async progress(ctx: TenantContext, id: string, change: Partial<Omit<EvidencePackEntity, 'filter'>>): Promise<void> {
    await this.db.run(ctx, () => this.db.em.getRepository(EvidencePackEntity).update({ tenantId: ctx.tenantId, id }, change));
  }

  private async *taskPages(ctx: TenantContext, filter: TaskExportFilter): AsyncIterable<ExportTask[]> {
    let after = null;
    do {
      const page = await this.tasks.page(ctx, filter, after, PAGE);
      if (page.items.length) yield page.items;
      after = page.next;
    } while (after !== null);
  }

  /**
   * Pass 1 counts the files; pass 2 streams every evidence file into the ZIP (checked against its
   * sha256) while writing the manifest's task, evidence and event records to temporary files
   * (memory stays flat); then report.pdf, tasks.csv and README.txt; manifest.json last, because it
   * lists every other file's hash. The ZIP goes straight to storage as it is written.
   */
  private async write(
    ctx: TenantContext,
    pack: EvidencePackEntity,
    key: string,
    work: string,
  ): Promise<{ size: number; sha256: string; manifestSha256: string; files: number; bytes: number }> {
    const filter = pack.filter as PackFilter;
    const generatedAt = new Date();
    const about = await this.context.describe(ctx, filter.subscriptionId);
    const head = await this.audit.head(ctx);

    let filesTotal = 0;
    let bytesTotal = 0;
    for await (const tasks of this.taskPages(ctx, filter)) {
      for (const e of await this.evidence.forTasks(
        ctx,
        tasks.map((t) => t.id),
      )) {
        if (e.kind !== 'file' || e.submittedAt > generatedAt.toISOString()) continue;
        filesTotal += 1;
        bytesTotal += e.size ?? 0;
      }
    }
    await this.progress(ctx, pack.id, {
      state: 'building',
      startedAt: generatedAt,
      filesTotal,
      bytesTotal: String(bytesTotal),
      filesDone: 0,
      bytesDone: '0',
    });

    const zip = new ZipWriter();
    const whole = createHash('sha256');
    let size = 0;
    const tap = new PassThrough({ highWaterMark: 1024 * 1024 });
    zip.output.on('data', (chunk: Buffer) => {
      whole.update(chunk);
      size += chunk.length;
    });
    zip.output.pipe(tap);
    zip.output.on('error', (error) => tap.destroy(error));
    const stored = this.evidence.store.write(key, tap);
    stored.catch(() => undefined);

    const files: { path: string; sha256: string; size: number }[] = [];
    const taskFile = path.join(work, 'tasks.ndjson');
    const evidenceFile = path.join(work, 'evidence.ndjson');
    const eventFile = path.join(work, 'events.ndjson');
    const counts: Record<string, number> = {};
    let total = 0;
    let filesDone = 0;
    let bytesDone = 0;
    try {
      for await (const tasks of this.taskPages(ctx, filter)) {
        const ids = tasks.map((t) => t.id);
        const reviews = await this.tasks.reviews(ctx, ids);
        const evidence = (await this.evidence.forTasks(ctx, ids)).filter((e) => e.submittedAt <= generatedAt.toISOString());
        const byTask = new Map<string, ExportEvidence[]>();
        for (const e of evidence) byTask.set(e.taskId, [...(byTask.get(e.taskId) ?? []), e]);
        let taskLines = '';
        let evidenceLines = '';
        for (const t of tasks) {
          counts[t.status] = (counts[t.status] ?? 0) + 1;
          total += 1;
          const folder = taskFolder(t);
          const names = new FolderNames();
          for (const e of byTask.get(t.id) ?? []) {
            const entry = await this.addEvidence(zip, folder, names, e);
            if (e.kind === 'file') {
              filesDone += 1;
              bytesDone += e.size ?? 0;
            }
            evidenceLines += `${JSON.stringify({
              id: e.id,
              taskId: e.taskId,
              kind: e.kind,
              name: e.fileName ?? e.url ?? null,
              description: e.description,
              mediaType: e.mediaType,
              size: e.size,
              sha256: e.sha256,
              submittedBy: { id: e.submittedBy, name: about.people.get(e.submittedBy)?.name ?? null },
              submittedAt: e.submittedAt,
              path: entry.path,
            })}\n`;
            files.push(entry);
          }
          const taskReviews = reviews.get(t.id) ?? [];
          const line: TaskLine = {
            ...t,
            assignee: t.assigneeId ? { id: t.assigneeId, name: about.people.get(t.assigneeId)?.name ?? null } : null,
            reviews: taskReviews.map((r) => ({ ...r, reviewerName: about.people.get(r.reviewerId)?.name ?? null })),
            folder,
          };
          taskLines += `${JSON.stringify(line)}\n`;
        }
        fs.appendFileSync(taskFile, taskLines);
        fs.appendFileSync(evidenceFile, evidenceLines);
        const events = (await this.audit.forTasks(ctx, ids)).filter((ev) => ev.seq <= head.seq);
        fs.appendFileSync(eventFile, events.map((ev: AuditEventView) => `${JSON.stringify(ev)}\n`).join(''));
        await this.progress(ctx, pack.id, { filesDone, bytesDone: String(bytesDone) });
      }

      const mtime = generatedAt;
      const report = statusReportPdf({
        tenantName: about.tenantName,
        timezone: about.timezone,
        catalogs: about.catalogs.map((c) => `${c.key} ${c.version}`),
        period: { from: filter.periodFrom ?? null, to: filter.periodTo ?? null },
        generatedAt,
        generatedBy: about.people.get(ctx.userId)?.name ?? ctx.userId,
        counts,
        total,
        tasks: reportTasks(taskFile),
        commitments: about.commitments,
      });
      files.push({ path: 'report.pdf', ...(await zip.addStream('report.pdf', report, { compress: true, mtime })) });
      files.push({ path: 'tasks.csv', ...(await zip.addStream('tasks.csv', csvLines(taskFile), { compress: true, mtime })) });
      const readme = README({
        tenantName: about.tenantName,
        packId: pack.id,
        generatedAt: generatedAt.toISOString(),
        headSeq: head.seq,
        headHash: head.hash,
      });
      files.push({ path: 'README.txt', ...(await zip.addBuffer('README.txt', readme, { compress: true, mtime })) });
      const manifest = await zip.addStream(
        'manifest.json',
        manifestChunks({
          head: {
            format: 'dutybook-evidence-pack/1',
            packId: pack.id,
            tenant: { id: ctx.tenantId, name: about.tenantName },
            catalogs: about.catalogs,
            filter,
            generatedAt: generatedAt.toISOString(),
            requestedBy: { id: ctx.userId, name: about.people.get(ctx.userId)?.name ?? null },
            auditChain: { headSeq: head.seq, headHash: head.hash },
            counts: { tasks: total, byStatus: counts },
          },
          taskFile,
          evidenceFile,
          eventFile,
          files: files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })),
        }),
        { compress: true, mtime },
      );
      await zip.finish();
      await stored;
      return { size, sha256: whole.digest('hex'), manifestSha256: manifest.sha256, files: filesDone, bytes: bytesDone };
    } catch (error) {
      zip.abort(error instanceof Error ? error : new Error(String(error)));
      await stored.catch(() => undefined);
      throw error;
    }
  }

  private async addEvidence(
    zip: ZipWriter,
    folder: string,
    names: FolderNames,
    e: ExportEvidence,
  ): Promise<{ path: string; sha256: string; size: number }> {
    if (e.kind === 'file') {
      const name = names.take(e.fileName ?? `${e.id}.bin`);
      const entryPath = `${folder}/${name}`;
      const stream = await this.evidence.open(e);
      const written = await zip
        .addStream(entryPath, stream, {
          compress: shouldCompress(e.mediaType),
          expectedSize: e.size ?? undefined,
          mtime: new Date(e.submittedAt),
        })
        .catch((error: unknown) => {
          if (error instanceof Error && /bytes, \d+ expected/.test(error.message))
            throw new PackBuildError(`evidence ${e.id} (${e.fileName ?? ''}): the stored file has another size than recorded`);
          throw error;
        });
      if (written.sha256 !== e.sha256)
        throw new PackBuildError(`evidence ${e.id} (${e.fileName ?? ''}): the stored file no longer matches its recorded sha256`);
      return { path: entryPath, sha256: written.sha256, size: written.size };
    }
    const text =
      e.kind === 'link'
        ? `Link: ${e.url ?? ''}\r\n${e.description ? `Description: ${e.description}\r\n` : ''}Submitted ${e.submittedAt} by ${e.submittedBy}\r\n`
        : `${e.text ?? ''}\r\n${e.description ? `\r\nDescription: ${e.description}\r\n` : ''}\r\nSubmitted ${e.submittedAt} by ${e.submittedBy}\r\n`;
    const name = names.take(`${e.kind} ${e.submittedAt.slice(0, 10)} ${e.id.slice(0, 8)}.txt`);
    const entryPath = `${folder}/${name}`;
    const written = await zip.addBuffer(entryPath, text, { compress: true, mtime: new Date(e.submittedAt) });
    return { path: entryPath, sha256: written.sha256, size: written.size };
  }
}

function packKey(pack: { tenantId: string; id: string }): string {
  return `${pack.tenantId}/${pack.id}`;
}

function toView(p: EvidencePackEntity): EvidencePackView {
  const expired = p.state === 'expired' || (p.state === 'ready' && p.expiresAt !== null && p.expiresAt.getTime() <= Date.now());
  return {
    id: p.id,
    state: expired ? 'expired' : p.state,
    filter: p.filter,
    requestedBy: p.requestedBy,
    progress: { filesDone: p.filesDone, filesTotal: p.filesTotal, bytesDone: Number(p.bytesDone), bytesTotal: Number(p.bytesTotal) },
    size: p.size === null ? null : Number(p.size),
    sha256: p.sha256,
    manifestSha256: p.manifestSha256,
    error: p.error,
    createdAt: p.createdAt.toISOString(),
    startedAt: p.startedAt?.toISOString() ?? null,
    finishedAt: p.finishedAt?.toISOString() ?? null,
    expiresAt: p.state === 'ready' || expired ? (p.expiresAt?.toISOString() ?? null) : null,
  };
}

async function* lines(file: string): AsyncIterable<string> {
  if (!fs.existsSync(file)) return;
  let rest = '';
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 }) as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) if (p !== '') yield p;
  }
  if (rest !== '') yield rest;
}

/** A task as the manifest lists it (one line of the temporary tasks file). */
interface TaskLine extends ExportTask {
  assignee: { id: string; name: string | null } | null;
  reviews: (ReviewView & { reviewerName: string | null })[];
  folder: string;
}

async function* reportTasks(file: string): AsyncIterable<ReportTask> {
  for await (const line of lines(file)) {
    const t = JSON.parse(line) as TaskLine;
    const last = t.reviews[t.reviews.length - 1];
    yield {
      phase: t.phase,
      section: t.section,
      activityKey: t.activityKey,
      title: t.title,
      status: t.status,
      dueDate: t.dueDate,
      assignee: t.assignee?.name ?? t.assignee?.id ?? null,
      evidenceCount: t.evidenceCount,
      lastReview: last ? `${last.decision} ${last.createdAt.slice(0, 10)}${last.reviewerName ? ` by ${last.reviewerName}` : ''}` : null,
    };
  }
}

async function* csvLines(file: string): AsyncIterable<Buffer> {
  yield Buffer.from(`\uFEFF${csvRecord(TASK_CSV_HEADER)}`);
  for await (const line of lines(file)) {
    const t = JSON.parse(line) as TaskLine;
    yield Buffer.from(csvRecord(taskCells(t, t.assignee?.name ?? null)));
  }
}

async function* manifestChunks(input: {
  head: Record<string, unknown>;
  taskFile: string;
  evidenceFile: string;
  eventFile: string;
  files: { path: string; sha256: string; size: number }[];
}): AsyncIterable<Buffer> {
  const headJson = JSON.stringify(input.head, null, 2);
  yield Buffer.from(`${headJson.slice(0, -2)},\n  "files": ${JSON.stringify(input.files)},\n`);
  for (const [name, file] of [
    ['tasks', input.taskFile],
    ['evidence', input.evidenceFile],
    ['auditEvents', input.eventFile],
  ] as const) {
    yield Buffer.from(`  "${name}": [`);
    let first = true;
    let batch = '';
    for await (const line of lines(file)) {
      batch += `${first ? '\n    ' : ',\n    '}${line}`;
      first = false;
      if (batch.length > 65536) {
        yield Buffer.from(batch);
        batch = '';
      }
    }
    yield Buffer.from(`${batch}${first ? '' : '\n  '}]${name === 'auditEvents' ? '\n' : ',\n'}`);
  }
  yield Buffer.from('}\n');
}
