import { Module } from '@nestjs/common';
import { CatalogRepository } from './catalog.repository';
import { CatalogService } from './catalog.service';

/** TenantDb comes from DbModule.forRoot() (global) of the app. */
@Module({ providers: [CatalogRepository, CatalogService], exports: [CatalogRepository, CatalogService] })
export class CatalogModule {}
