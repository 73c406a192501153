import { Body, Controller, Get, Headers, Param, Post, Query, Req as HttpRequest, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CATALOG_ERRORS,
  CatalogService,
  type CatalogDiffView,
  type CatalogSummary,
  type CatalogVersionView,
  type ImportSummary,
} from '../../../libs/catalog';
import { CORE_ERRORS, Public, type TenantContext } from '../../../libs/core';
import { HTTP_ERRORS } from '../http/http.errors';
import { ApiErrors } from '../openapi/api-errors';
import { Tenant } from '../auth/request-context';
import { ANY_ROLE, Roles } from '../auth/roles.decorator';
import { readCatalogFile } from './catalog-upload';
import {
  CatalogDiffDto,
  CatalogDiffQuery,
  CatalogImportQuery,
  CatalogImportSummaryDto,
  CatalogKeyParams,
  CatalogListDto,
  CatalogSummaryDto,
  CatalogVersionDto,
  CatalogVersionParams,
  TenantCatalogKeyParams,
  TenantCatalogVersionParams,
} from './catalog.dto';

/** A version's content never changes: its hash is a strong ETag. */
function withEtag(
  view: CatalogVersionView,
  version: string,
  ifNoneMatch: string | undefined,
  reply: FastifyReply,
  visibility: 'public' | 'private',
): CatalogVersionView | undefined {
  const etag = `"${view.contentHash}"`;
  void reply.header('etag', etag).header('cache-control', version === 'latest' ? 'no-cache' : `${visibility}, max-age=300`);
  if (ifNoneMatch?.split(',').some((t) => t.trim() === etag)) {
    void reply.status(304);
    return undefined;
  }
  return view;
}

/** Global provider catalogs are published documents with no tenant data: readable without a token. */
@ApiTags('catalogs')
@Public()
@Controller('catalogs')
export class CatalogController {
  constructor(private readonly catalogs: CatalogService) {}

  @Get()
  @ApiOperation({ summary: 'List the public catalogs', description: 'No token needed: global catalogs hold no tenant data.' })
  @ApiOkResponse({ type: CatalogListDto })
  // It takes no input: only what any URL can get wrong applies.
  @ApiErrors(HTTP_ERRORS.INVALID_CHARACTER)
  async list(): Promise<CatalogListDto> {
    return { items: await this.catalogs.list(null), nextCursor: null };
  }

  @Get(':key/versions')
  @ApiOperation({ summary: "List a public catalog's versions" })
  @ApiOkResponse({
    type: CatalogSummaryDto,
    description: 'The versions, latest first, with their source, publisher, license and retrieval date.',
  })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CATALOG_ERRORS.CATALOG_NOT_FOUND)
  versions(@Param() params: CatalogKeyParams): Promise<CatalogSummary> {
    return this.catalogs.versions(null, params.key);
  }

  @Get(':key/diff')
  @ApiOperation({ summary: 'Compare two versions of a public catalog' })
  @ApiOkResponse({
    type: CatalogDiffDto,
    description: 'What changed from one version to another: added, removed, changed (each field before/after, with the match score).',
  })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CATALOG_ERRORS.CATALOG_NOT_FOUND)
  diff(@Param() params: CatalogKeyParams, @Query() query: CatalogDiffQuery): Promise<CatalogDiffView> {
    return this.catalogs.diff(null, params.key, query.from, query.to);
  }

  @Get(':key/versions/:version')
  @ApiOperation({
    summary: 'Get a version of a public catalog',
    description:
      'Sections with their activities. `version` may be `latest`. Its content hash is a strong ETag (If-None-Match answers 304).',
  })
  @ApiOkResponse({ type: CatalogVersionDto, description: 'Sections with their activities.' })
  @ApiNotModifiedResponse({ description: 'The version the If-None-Match ETag names is current.' })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CATALOG_ERRORS.CATALOG_NOT_FOUND)
  async version(
    @Param() params: CatalogVersionParams,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CatalogVersionView | undefined> {
    return withEtag(await this.catalogs.getVersion(null, params.key, params.version), params.version, ifNoneMatch, reply, 'public');
  }
}

/**
 * The catalogs a tenant sees: the global ones and its private ones (row-level security in the
 * tenant's unit of work), and the import of private catalogs. Another tenant's private catalog
 * answers 404, like one that does not exist.
 */
@ApiTags('catalogs')
@ApiBearerAuth()
@Controller('tenants/:tenantId/catalogs')
export class TenantCatalogController {
  constructor(private readonly catalogs: CatalogService) {}

  @Get()
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: "List the tenant's catalogs", description: "Any member. The global catalogs and the tenant's private ones." })
  @ApiOkResponse({ type: CatalogListDto })
  @ApiErrors()
  async list(@Tenant() ctx: TenantContext): Promise<CatalogListDto> {
    return { items: await this.catalogs.list(ctx), nextCursor: null };
  }

  /**
   * multipart/form-data with a `file` part, or the file itself as a text/markdown or text/csv body.
   * `?dryRun=true` previews: the same summary, nothing stored.
   */
  @Post('imports')
  @Roles('admin')
  @RouteConfig({ multipart: true, catalogText: true })
  @ApiConsumes('multipart/form-data', 'text/markdown', 'text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOperation({
    summary: 'Import a private catalog',
    description:
      'Admins only. The file as multipart/form-data (part `file`) or as a text/markdown or text/csv body. ' +
      '`?dryRun=true` previews: the same summary, nothing stored. Importing a version already stored with the same content changes nothing.',
  })
  @ApiOkResponse({ type: CatalogImportSummaryDto, description: 'A dry run, or a version already stored with this content.' })
  @ApiCreatedResponse({ type: CatalogImportSummaryDto, description: 'The version was stored.' })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    CATALOG_ERRORS.CATALOG_IMPORT_MALFORMED,
    CATALOG_ERRORS.CATALOG_KEY_TAKEN,
    CATALOG_ERRORS.CATALOG_VERSION_EXISTS,
    CATALOG_ERRORS.CATALOG_IMPORT_TOO_LARGE,
    CATALOG_ERRORS.CATALOG_IMPORT_UNSUPPORTED,
    HTTP_ERRORS.UNSUPPORTED_MEDIA_TYPE,
    CATALOG_ERRORS.CATALOG_IMPORT_INVALID,
  )
  async import(
    @Tenant() ctx: TenantContext,
    @Query() query: CatalogImportQuery,
    @HttpRequest() request: FastifyRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportSummary> {
    const { bytes, fileName } = await readCatalogFile(request, body);
    const { dryRun, ...options } = query;
    const summary = await this.catalogs.importPrivate(ctx, bytes, { ...options, file: fileName }, dryRun === true);
    void reply.status(summary.stored === 'loaded' ? 201 : 200);
    return summary;
  }

  @Get(':key/versions')
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: "List a catalog's versions", description: "Any member. Another tenant's private catalog answers 404." })
  @ApiOkResponse({ type: CatalogSummaryDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CATALOG_ERRORS.CATALOG_NOT_FOUND)
  versions(@Tenant() ctx: TenantContext, @Param() params: TenantCatalogKeyParams): Promise<CatalogSummary> {
    return this.catalogs.versions(ctx, params.key);
  }

  @Get(':key/diff')
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: 'Compare two versions of a catalog', description: 'Any member.' })
  @ApiOkResponse({ type: CatalogDiffDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CATALOG_ERRORS.CATALOG_NOT_FOUND)
  diff(@Tenant() ctx: TenantContext, @Param() params: TenantCatalogKeyParams, @Query() query: CatalogDiffQuery): Promise<CatalogDiffView> {
    return this.catalogs.diff(ctx, params.key, query.from, query.to);
  }

  @Get(':key/versions/:version')
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: 'Get a version of a catalog', description: 'Any member. `version` may be `latest`; If-None-Match answers 304.' })
  @ApiOkResponse({ type: CatalogVersionDto })
  @ApiNotModifiedResponse({ description: 'The version the If-None-Match ETag names is current.' })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CATALOG_ERRORS.CATALOG_NOT_FOUND)
  async version(
    @Tenant() ctx: TenantContext,
    @Param() params: TenantCatalogVersionParams,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CatalogVersionView | undefined> {
    return withEtag(await this.catalogs.getVersion(ctx, params.key, params.version), params.version, ifNoneMatch, reply, 'private');
  }
}
