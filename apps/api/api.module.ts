import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '../../libs/catalog';
import { ConfigModule, type AppConfig, type Logger } from '../../libs/core';
import { dataSourceOptions, type DatabaseTarget } from '../../libs/db';
import { SCHEMA } from '../runtime/schema';
import { WorkerJobsModule } from '../worker/worker-jobs.module';
import { CatalogController } from './catalog/catalog.controller';
import { HealthController } from './health/health.controller';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, target: DatabaseTarget, logger: Logger, withWorker: boolean): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({
          ...dataSourceOptions({ url: target.appUrl, poolSize: config.databasePoolSize, applicationName: 'dutybook-api' }, SCHEMA, logger),
          // Connection problems surface at start-up once, not through Nest's retry loop.
          retryAttempts: 0,
        }),
        CatalogModule,
        ...(withWorker ? [WorkerJobsModule] : []),
      ],
      controllers: [HealthController, CatalogController],
    };
  }
}
