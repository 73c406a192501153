import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { AuditExportReader } from '../audit';
import type { TenantContext } from '../core';
import { TaskExportReader, TasksService, type ExportTaskCursor, type TaskFilter } from '../tasks';
import { ExportContext } from './export-context';
import { TASK_CSV_HEADER, taskCells } from './task-rows';
import type { Cell } from './writers/cells';
import { csvStream } from './writers/csv';
import { statusReportPdf, type ReportTask } from './writers/pdf-report';
import { xlsxStream } from './writers/xlsx';
import type { PackFilter } from './evidence-packs.service';

/** The list's filters without paging: an export takes every matching task. */
export type TaskListFilter = Omit<TaskFilter, 'limit' | 'cursor'>;

const PAGE = 200;

/**
 * Exports streamed straight to the client: tasks as CSV or XLSX (the task list's rows, in its
 * order, page by page), the audit trail as JSON lines, the status report as PDF. Nothing is
 * collected first: each page is read when the client has taken the previous one.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly tasks: TasksService,
    private readonly exportTasks: TaskExportReader,
    private readonly audit: AuditExportReader,
    private readonly context: ExportContext,
  ) {}

  async tasksCsv(ctx: TenantContext, filter: TaskListFilter): Promise<Readable> {
    const rows = await this.taskRows(ctx, filter);
    return csvStream(TASK_CSV_HEADER, rows);
  }

  async tasksXlsx(ctx: TenantContext, filter: TaskListFilter): Promise<Readable> {
    const rows = await this.taskRows(ctx, filter);
    return xlsxStream('Tasks', TASK_CSV_HEADER, rows);
  }

  /** Every event of the tenant's chain, oldest first, one JSON object per line with its hashes. */
  auditJsonl(ctx: TenantContext): Readable {
    const audit = this.audit;
    async function* lines(): AsyncIterable<string> {
      let after = 0;
      for (;;) {
        const events = await audit.after(ctx, after, 500);
        if (events.length === 0) return;
        yield events.map((e) => `${JSON.stringify(e)}\n`).join('');
        after = events[events.length - 1]?.seq ?? after;
      }
    }
    return Readable.from(lines(), { objectMode: false });
  }

  async statusPdf(ctx: TenantContext, filter: PackFilter, generatedAt = new Date()): Promise<Readable> {
    const about = await this.context.describe(ctx, filter.subscriptionId);
    const counts = await this.exportTasks.countByStatus(ctx, filter);
    const reader = this.exportTasks;
    async function* tasks(): AsyncIterable<ReportTask> {
      let after: ExportTaskCursor | null = null;
      do {
        const page = await reader.page(ctx, filter, after, PAGE);
        const reviews = await reader.reviews(
          ctx,
          page.items.map((t) => t.id),
        );
        for (const t of page.items) {
          const last = reviews.get(t.id)?.at(-1);
          yield {
            phase: t.phase,
            section: t.section,
            activityKey: t.activityKey,
            title: t.title,
            status: t.status,
            dueDate: t.dueDate,
            assignee: t.assigneeId ? (about.people.get(t.assigneeId)?.name ?? t.assigneeId) : null,
            evidenceCount: t.evidenceCount,
            lastReview: last
              ? `${last.decision} ${last.createdAt.slice(0, 10)} by ${about.people.get(last.reviewerId)?.name ?? last.reviewerId}`
              : null,
          };
        }
        after = page.next;
      } while (after !== null);
    }
    return statusReportPdf({
      tenantName: about.tenantName,
      timezone: about.timezone,
      catalogs: about.catalogs.map((c) => `${c.key} ${c.version}`),
      period: { from: filter.periodFrom ?? null, to: filter.periodTo ?? null },
      generatedAt,
      generatedBy: about.people.get(ctx.userId)?.name ?? ctx.userId,
      counts,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
      tasks: tasks(),
      commitments: about.commitments,
    });
  }

  /**
   * Rows of the task list, page after page. The first page is read before answering, so a bad
   * filter or cursor is a 4xx, not a broken stream.
   */
  private async taskRows(ctx: TenantContext, filter: TaskListFilter): Promise<AsyncIterable<Cell[]>> {
    const about = await this.context.describe(ctx);
    const list = this.tasks;
    const first = await list.list(ctx, { ...filter, limit: PAGE });
    async function* rows(): AsyncIterable<Cell[]> {
      let page = first;
      for (;;) {
        for (const t of page.items) yield taskCells(t, t.assigneeId ? (about.people.get(t.assigneeId)?.name ?? null) : null);
        if (page.nextCursor === null) return;
        page = await list.list(ctx, { ...filter, limit: PAGE, cursor: page.nextCursor });
      }
    }
    return rows();
  }
}
