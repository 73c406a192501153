import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditSink } from '../../libs/audit';
import { ConfigModule, EventsModule, type AppConfig, type Logger } from '../../libs/core';
import { dataSourceOptions, DbModule, type DatabaseTarget } from '../../libs/db';
import { NotifyModule } from '../../libs/notify';
import { MetricsModule } from '../runtime/metrics';
import { MemberRolesModule } from '../api/tasks/member-roles.module';
import { TenantTimeZonesModule } from '../api/tasks/tenant-time-zones.module';
import { SCHEMA } from '../runtime/schema';
import { WorkerJobsModule } from './worker-jobs.module';

/** The worker process alone: config, its own pool, the jobs. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, target: DatabaseTarget, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(
            { url: target.appUrl, poolSize: Math.min(4, config.databasePoolSize), applicationName: 'dutybook-worker' },
            SCHEMA,
            logger,
          ),
          retryAttempts: 0,
        }),
        DbModule.forRoot(),
        MetricsModule.forRoot(logger),
        EventsModule.forRoot(new AuditSink(logger)),
        // The exports (evidence packs) read tasks through libs/tasks, which needs the membership and
        // tenant time zone bindings.
        NotifyModule.forRoot(logger),
        MemberRolesModule,
        TenantTimeZonesModule,
        WorkerJobsModule.forRoot(target, logger),
      ],
    };
  }
}
