import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req as HttpRequest, Res, StreamableFile } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPartialContentResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CORE_ERRORS, Public, ValidationError, type TenantContext } from '../../../libs/core';
import { EVIDENCE_ERRORS } from '../../../libs/evidence';
import { HTTP_ERRORS } from '../http/http.errors';
import { ApiErrors } from '../openapi/api-errors';
import {
  CalendarFeedListDto,
  CreatedCalendarFeedDto,
  EvidencePackDto,
  EvidencePackListDto,
  PackVerificationDto,
} from '../openapi/views.dto';
import {
  CalendarFeedsService,
  EXPORTS_ERRORS,
  EvidencePacksService,
  PackVerifierService,
  ReportsService,
  type CalendarFeedView,
  type EvidencePackView,
  type PackFilter,
  type PackVerification,
  type TaskListFilter,
} from '../../../libs/exports';
import { Req, Tenant } from '../auth/request-context';
import { ANY_ROLE, Roles } from '../auth/roles.decorator';
import { readUpload } from '../evidence/multipart';
import { CreateFeedDto, PackFilterDto, ReportQuery, TaskExportQuery } from './exports.dto';
import type { RequestContext } from '../../../libs/core';

function packFilter(q: PackFilterDto | ReportQuery): PackFilter {
  return {
    ...(q.subscriptionId ? { subscriptionId: q.subscriptionId.toLowerCase() } : {}),
    ...(q.phase ? { phase: q.phase } : {}),
    ...(q.section ? { section: q.section } : {}),
    ...(q.status?.length ? { status: q.status } : {}),
    ...(q.periodFrom ? { periodFrom: q.periodFrom } : {}),
    ...(q.periodTo ? { periodTo: q.periodTo } : {}),
    ...('tasks' in q && q.tasks?.length ? { taskIds: q.tasks.map((t) => t.toLowerCase()) } : {}),
  };
}

function taskFilter(q: TaskExportQuery): TaskListFilter {
  return {
    ...(q.status ? { status: q.status } : {}),
    ...(q.phase ? { phase: q.phase } : {}),
    ...(q.section ? { section: q.section } : {}),
    ...(q.assigneeId ? { assigneeId: q.assigneeId === 'none' ? null : q.assigneeId } : {}),
    ...(q.overdue !== undefined ? { overdue: q.overdue } : {}),
    ...(q.dueBefore ? { dueBefore: q.dueBefore } : {}),
    ...(q.q ? { q: q.q } : {}),
    ...(q.subscriptionId ? { subscriptionId: q.subscriptionId } : {}),
  };
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range); anything else: the whole file (RFC 9110 allows ignoring it). */
export function parseRange(header: string | undefined, size: number): { start: number; end?: number } | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') return { start: Math.max(size - Number(m[2]), 0) };
  return m[2] === '' ? { start: Number(m[1]) } : { start: Number(m[1]), end: Number(m[2]) };
}

const download = (reply: FastifyReply, type: string, name: string): void => {
  void reply
    .header('content-type', type)
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store');
};

/** Evidence packs: built in the background, downloaded with resumable ranges, checked by anyone. */
@ApiTags('exports')
@ApiBearerAuth()
@Controller('tenants/:tenantId/evidence-packs')
export class EvidencePacksController {
  constructor(
    private readonly packs: EvidencePacksService,
    private readonly verifier: PackVerifierService,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles('admin', 'auditor')
  @ApiOperation({
    summary: 'Request an evidence pack',
    description:
      'Admins and auditors. The pack (a ZIP with a signed manifest) is built in the background: poll GET .../evidence-packs/{packId}.',
  })
  @ApiAcceptedResponse({ type: EvidencePackDto, description: 'The pack is queued; poll GET .../evidence-packs/{packId}.' })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED)
  create(@Tenant() ctx: TenantContext, @Body() body: PackFilterDto): Promise<EvidencePackView> {
    return this.packs.request(ctx, packFilter(body));
  }

  @Get()
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'List evidence packs', description: 'Admins and auditors.' })
  @ApiOkResponse({ type: EvidencePackListDto })
  @ApiErrors()
  async list(@Tenant() ctx: TenantContext): Promise<{ items: EvidencePackView[] }> {
    return { items: await this.packs.list(ctx) };
  }

  /** Upload a pack (ZIP) or its manifest.json as multipart `file`; answers what matches. */
  @Post('verify')
  @HttpCode(200)
  @Roles('admin', 'auditor')
  @RouteConfig({ multipart: true })
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary: 'Verify an evidence pack',
    description: 'Admins and auditors. Upload a pack (ZIP) or its manifest.json as multipart `file`; answers what matches.',
  })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    HTTP_ERRORS.MALFORMED_MULTIPART,
    EVIDENCE_ERRORS.EVIDENCE_FILE_MISSING,
    EVIDENCE_ERRORS.EVIDENCE_ONE_FILE,
    EXPORTS_ERRORS.PACK_UNREADABLE,
  )
  @ApiOkResponse({ type: PackVerificationDto })
  async verify(@Tenant() ctx: TenantContext, @HttpRequest() request: FastifyRequest): Promise<PackVerification> {
    if (!request.isMultipart())
      throw new ValidationError('Send the pack or its manifest as multipart/form-data in the part named "file".', [
        { field: 'file', problems: ['file is required'] },
      ]);
    const upload = await readUpload(request, Number.MAX_SAFE_INTEGER);
    return this.verifier.verify(ctx, upload.file.file);
  }

  @Get(':packId')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Get an evidence pack', description: 'Admins and auditors. Its state, progress, size and expiry.' })
  @ApiOkResponse({ type: EvidencePackDto })
  @ApiErrors(EXPORTS_ERRORS.EVIDENCE_PACK_NOT_FOUND)
  get(@Tenant() ctx: TenantContext, @Param('packId') packId: string): Promise<EvidencePackView> {
    return this.packs.get(ctx, packId);
  }

  /** The ZIP. `Range: bytes=a-b` resumes a broken download (206); `Accept-Ranges: bytes`. */
  @Get(':packId/content')
  @Roles('admin', 'auditor')
  @ApiProduces('application/zip')
  @ApiOperation({
    summary: 'Download an evidence pack',
    description: 'Admins and auditors. `Range: bytes=a-b` resumes a broken download (206).',
  })
  @ApiOkResponse({ description: 'The ZIP.', schema: { type: 'string', format: 'binary' } })
  @ApiPartialContentResponse({ description: 'The range asked for.', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(
    EXPORTS_ERRORS.EVIDENCE_PACK_NOT_FOUND,
    EXPORTS_ERRORS.EVIDENCE_PACK_NOT_READY,
    EXPORTS_ERRORS.EVIDENCE_PACK_EXPIRED,
    EXPORTS_ERRORS.RANGE_NOT_SATISFIABLE,
  )
  async content(
    @Tenant() ctx: TenantContext,
    @Param('packId') packId: string,
    @HttpRequest() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const meta = await this.packs.get(ctx, packId);
    const range = parseRange(request.headers.range, meta.size ?? 0);
    const content = await this.packs.open(ctx, packId, range);
    download(reply, 'application/zip', content.fileName);
    void reply
      .header('accept-ranges', 'bytes')
      .header('etag', `"${content.sha256}"`)
      .header('content-length', String(content.end - content.start + 1));
    if (content.partial) void reply.status(206).header('content-range', `bytes ${content.start}-${content.end}/${content.size}`);
    return new StreamableFile(content.body, { type: 'application/zip', length: content.end - content.start + 1 });
  }
}

/** Reports and tabular exports, streamed. */
@ApiTags('exports')
@ApiBearerAuth()
@Controller('tenants/:tenantId')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('reports/status.pdf')
  @Roles(...ANY_ROLE)
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'Download a status report (PDF)', description: 'Any member. The same filters as evidence packs.' })
  @ApiOkResponse({ description: 'The PDF.', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED)
  async status(
    @Tenant() ctx: TenantContext,
    @Query() q: ReportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const body = await this.reports.statusPdf(ctx, packFilter(q));
    download(reply, 'application/pdf', `status-report-${new Date().toISOString().slice(0, 10)}.pdf`);
    return new StreamableFile(body, { type: 'application/pdf' });
  }

  @Get('tasks/export.csv')
  @Roles(...ANY_ROLE)
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'Export tasks as CSV', description: 'Any member. The filters of the task list.' })
  @ApiOkResponse({ description: 'The CSV.', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED)
  async csv(
    @Tenant() ctx: TenantContext,
    @Query() q: TaskExportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const body = await this.reports.tasksCsv(ctx, taskFilter(q));
    download(reply, 'text/csv; charset=utf-8', 'tasks.csv');
    return new StreamableFile(body, { type: 'text/csv; charset=utf-8' });
  }

  @Get('tasks/export.xlsx')
  @Roles(...ANY_ROLE)
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({ summary: 'Export tasks as a spreadsheet', description: 'Any member. The filters of the task list.' })
  @ApiOkResponse({ description: 'The XLSX workbook.', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED)
  async xlsx(
    @Tenant() ctx: TenantContext,
    @Query() q: TaskExportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const body = await this.reports.tasksXlsx(ctx, taskFilter(q));
    const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    download(reply, type, 'tasks.xlsx');
    return new StreamableFile(body, { type });
  }

  @Get('audit-events/export.jsonl')
  @Roles('admin', 'auditor')
  @ApiProduces('application/jsonl')
  @ApiOperation({ summary: 'Export the audit trail (JSON Lines)', description: 'Admins and auditors. One event per line, oldest first.' })
  @ApiOkResponse({ description: 'The events.', schema: { type: 'string', format: 'binary' } })
  @ApiErrors()
  jsonl(@Tenant() ctx: TenantContext, @Res({ passthrough: true }) reply: FastifyReply): StreamableFile {
    download(reply, 'application/jsonl; charset=utf-8', 'audit-events.jsonl');
    return new StreamableFile(this.reports.auditJsonl(ctx), { type: 'application/jsonl; charset=utf-8' });
  }
}

/** Each user's secret calendar URLs. */
@ApiTags('exports')
@ApiBearerAuth()
@Controller('tenants/:tenantId/calendar-feeds')
export class CalendarFeedsController {
  constructor(private readonly feeds: CalendarFeedsService) {}

  @Post()
  @Roles(...ANY_ROLE)
  @ApiOperation({
    summary: 'Create a calendar feed',
    description:
      "Any member, for their own tasks; only admins create a feed of all the tenant's tasks. The URL's token is the credential: shown once.",
  })
  @ApiCreatedResponse({ type: CreatedCalendarFeedDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.FORBIDDEN)
  create(@Tenant() ctx: TenantContext, @Body() body: CreateFeedDto): Promise<CalendarFeedView & { url: string; token: string }> {
    return this.feeds.create(ctx, body.scope ?? 'assigned');
  }

  @Get()
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: 'List my calendar feeds', description: "Any member: the caller's feeds in this tenant." })
  @ApiOkResponse({ type: CalendarFeedListDto })
  @ApiErrors()
  async list(@Tenant() ctx: TenantContext): Promise<{ items: CalendarFeedView[] }> {
    return { items: await this.feeds.list(ctx) };
  }

  @Delete(':feedId')
  @HttpCode(204)
  @Roles(...ANY_ROLE)
  @ApiOperation({
    summary: 'Revoke a calendar feed',
    description: "Any member, for their own feeds (admins: anyone's); its URL stops working at once.",
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiErrors(EXPORTS_ERRORS.CALENDAR_FEED_NOT_FOUND)
  async revoke(@Tenant() ctx: TenantContext, @Param('feedId') feedId: string): Promise<void> {
    await this.feeds.revoke(ctx, feedId);
  }
}

/** The feed itself: public, the secret token is the credential. */
@ApiTags('exports')
@Controller('calendar-feeds')
export class CalendarFeedController {
  constructor(private readonly feeds: CalendarFeedsService) {}

  @Get(':file')
  @Public()
  @ApiProduces('text/calendar')
  @ApiOperation({ summary: 'Read a calendar feed (iCalendar)', description: 'No token: the secret in the URL is the credential.' })
  @ApiOkResponse({ description: 'The iCalendar document.', schema: { type: 'string' } })
  @ApiErrors(EXPORTS_ERRORS.CALENDAR_FEED_NOT_FOUND)
  async feed(@Req() req: RequestContext, @Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const token = file.endsWith('.ics') ? file.slice(0, -4) : file;
    const body = await this.feeds.render(token, req.requestId);
    void reply.header('content-type', 'text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300');
    return body;
  }
}
