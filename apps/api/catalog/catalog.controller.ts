import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CatalogService, type CatalogVersionView } from '../../../libs/catalog';
import { Public } from '../../../libs/core';
import { CatalogListDto, CatalogVersionDto, CatalogVersionParams } from './catalog.dto';

/** Provider catalogs are published documents with no tenant data: readable without a token. */
@ApiTags('catalogs')
@Public()
@Controller('catalogs')
export class CatalogController {
  constructor(private readonly catalogs: CatalogService) {}

  @Get()
  @ApiOkResponse({ type: CatalogListDto })
  async list(): Promise<CatalogListDto> {
    return { items: await this.catalogs.list(null), nextCursor: null };
  }

  @Get(':key/versions/:version')
  @ApiOkResponse({ type: CatalogVersionDto, description: 'Sections with their activities. `version` may be `latest`.' })
  @ApiNotFoundResponse({ description: 'CATALOG_NOT_FOUND' })
  async version(
    @Param() params: CatalogVersionParams,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CatalogVersionView | undefined> {
    const view = await this.catalogs.getVersion(null, params.key, params.version);
    // A version's content never changes: its hash is a strong ETag.
    const etag = `"${view.contentHash}"`;
    void reply.header('etag', etag).header('cache-control', params.version === 'latest' ? 'no-cache' : 'public, max-age=300');
    if (ifNoneMatch?.split(',').some((t) => t.trim() === etag)) {
      void reply.status(304);
      return undefined;
    }
    return view;
  }
}
