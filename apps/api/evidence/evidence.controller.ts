import { Body, Controller, Get, Inject, Param, Post, Req as HttpRequest, Res, StreamableFile } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, CORE_ERRORS, ValidationError, type AppConfig, type TenantContext } from '../../../libs/core';
import { EVIDENCE_ERRORS, EvidenceService, type EvidenceView } from '../../../libs/evidence';
import { TASKS_ERRORS } from '../../../libs/tasks';
import { HTTP_ERRORS } from '../http/http.errors';
import { ApiErrors } from '../openapi/api-errors';
import { Tenant } from '../auth/request-context';
import { ANY_ROLE, Roles } from '../auth/roles.decorator';
import { createValidationPipe } from '../http/validation.pipe';
import { EvidenceDto, FileEvidenceForm, LinkEvidenceDto, NoteEvidenceDto } from './evidence.dto';
import { readUpload } from './multipart';

const validation = createValidationPipe();

/** A JSON body: a link or a note, told apart by `kind`, each validated like any other body. */
async function parseJsonEvidence(body: unknown): Promise<LinkEvidenceDto | NoteEvidenceDto> {
  const kind = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { kind?: unknown }).kind : undefined;
  if (kind === 'link') return (await validation.transform(body, { type: 'body', metatype: LinkEvidenceDto })) as LinkEvidenceDto;
  if (kind === 'note') return (await validation.transform(body, { type: 'body', metatype: NoteEvidenceDto })) as NoteEvidenceDto;
  const hint =
    kind === 'file'
      ? 'a file is sent as multipart/form-data (part "file")'
      : 'kind must be link or note (a file is sent as multipart/form-data)';
  throw new ValidationError(`The request is not valid: ${hint}. See details for every field.`, [{ field: 'kind', problems: [hint] }]);
}

/** Evidence on tasks. Immutable: there is no update or delete; a correction is new evidence. */
@ApiTags('evidence')
@ApiBearerAuth()
@ApiExtraModels(LinkEvidenceDto, NoteEvidenceDto, FileEvidenceForm)
@Controller('tenants/:tenantId')
export class EvidenceController {
  constructor(
    private readonly evidence: EvidenceService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * multipart/form-data with a `file` part (and an optional `description`), or JSON
   * `{kind:'link', url}` / `{kind:'note', text}`.
   */
  @Post('tasks/:taskId/evidence')
  @Roles('admin', 'member')
  @RouteConfig({ multipart: true })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(FileEvidenceForm) },
        { $ref: getSchemaPath(LinkEvidenceDto) },
        { $ref: getSchemaPath(NoteEvidenceDto) },
      ],
    },
  })
  @ApiOperation({
    summary: 'Add evidence to a task',
    description:
      'Admins and members. A file as multipart/form-data (part `file`, optional `description`; its type is sniffed and checked ' +
      'against the allowed ones, its sha256 recorded), or JSON `{kind: "link", url}` / `{kind: "note", text}`. Evidence is immutable.',
  })
  @ApiCreatedResponse({ type: EvidenceDto })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    HTTP_ERRORS.MALFORMED_MULTIPART,
    EVIDENCE_ERRORS.EVIDENCE_FILE_MISSING,
    EVIDENCE_ERRORS.EVIDENCE_ONE_FILE,
    EVIDENCE_ERRORS.EVIDENCE_EMPTY,
    EVIDENCE_ERRORS.EVIDENCE_UPLOAD_INCOMPLETE,
    EVIDENCE_ERRORS.EVIDENCE_LINK_INVALID,
    TASKS_ERRORS.TASK_NOT_FOUND,
    TASKS_ERRORS.TASK_CLOSED,
    EVIDENCE_ERRORS.EVIDENCE_TOO_LARGE,
    EVIDENCE_ERRORS.EVIDENCE_TYPE_NOT_ALLOWED,
    HTTP_ERRORS.UNSUPPORTED_MEDIA_TYPE,
    EVIDENCE_ERRORS.EVIDENCE_STORAGE_UNAVAILABLE,
    EVIDENCE_ERRORS.EVIDENCE_STORAGE_FULL,
  )
  async add(
    @Tenant() ctx: TenantContext,
    @Param('taskId') taskId: string,
    @HttpRequest() request: FastifyRequest,
    @Body() body: unknown,
  ): Promise<EvidenceView> {
    if (request.isMultipart()) {
      const upload = await readUpload(request, this.config.evidence.maxBytes);
      return this.evidence.addFile(
        ctx,
        taskId,
        { stream: upload.stream, fileName: upload.file.filename, declaredType: upload.file.mimetype },
        upload.rest,
      );
    }
    const input = await parseJsonEvidence(body);
    const description = input.description === undefined ? {} : { description: input.description };
    return input.kind === 'link'
      ? this.evidence.addLink(ctx, taskId, { url: input.url, ...description })
      : this.evidence.addNote(ctx, taskId, { text: input.text, ...description });
  }

  @Get('evidence/:evidenceId')
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: 'Get one piece of evidence', description: 'Any member.' })
  @ApiOkResponse({ type: EvidenceDto })
  @ApiErrors(EVIDENCE_ERRORS.EVIDENCE_NOT_FOUND)
  get(@Tenant() ctx: TenantContext, @Param('evidenceId') evidenceId: string): Promise<EvidenceView> {
    return this.evidence.get(ctx, evidenceId);
  }

  /**
   * The file, as an attachment with its sniffed type and `nosniff`, checked against its sha256:
   * 500 EVIDENCE_CORRUPT when the stored bytes changed.
   */
  @Get('evidence/:evidenceId/content')
  @Roles(...ANY_ROLE)
  @ApiOperation({
    summary: 'Download an evidence file',
    description: 'Any member. An attachment with its sniffed type and `nosniff`, checked against its sha256 on the way out.',
  })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file.', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(
    EVIDENCE_ERRORS.EVIDENCE_NOT_FOUND,
    EVIDENCE_ERRORS.EVIDENCE_NO_FILE,
    EVIDENCE_ERRORS.EVIDENCE_CORRUPT,
    EVIDENCE_ERRORS.EVIDENCE_STORAGE_UNAVAILABLE,
  )
  async content(
    @Tenant() ctx: TenantContext,
    @Param('evidenceId') evidenceId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const content = await this.evidence.openContent(ctx, evidenceId);
    void reply
      .header('content-type', content.contentType)
      .header('content-disposition', content.disposition)
      .header('content-length', String(content.size))
      .header('x-content-type-options', 'nosniff')
      // Never rendered here even if a browser ignored the attachment: no scripts, no plugins.
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .header('etag', `"${content.sha256}"`)
      .header('repr-digest', `sha-256=:${Buffer.from(content.sha256, 'hex').toString('base64')}:`);
    const options = { type: content.contentType, disposition: content.disposition, length: content.size };
    return Buffer.isBuffer(content.body) ? new StreamableFile(content.body, options) : new StreamableFile(content.body, options);
  }
}
