import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule, AuditSink } from '../../libs/audit';
import { CatalogModule } from '../../libs/catalog';
import { ConfigModule, EventsModule, type AppConfig, type Logger } from '../../libs/core';
import { EvidenceModule } from '../../libs/evidence';
import { ExportsModule } from '../../libs/exports';
import { NotifyModule } from '../../libs/notify';
import { TasksModule } from '../../libs/tasks';
import { TenancyModule } from '../../libs/tenancy';
import { dataSourceOptions, DbModule, type DatabaseTarget } from '../../libs/db';
import { MetricsModule } from '../runtime/metrics';
import { SCHEMA } from '../runtime/schema';
import { WorkerJobsModule } from '../worker/worker-jobs.module';
import { AuthController } from './auth/auth.controller';
import { JwtAuthGuard } from './auth/auth.guard';
import { JwtStrategy } from './auth/jwt.strategy';
import { LocalStrategy } from './auth/local.strategy';
import { TenantGuard } from './auth/tenant.guard';
import { AuditController } from './audit/audit.controller';
import { CatalogController, TenantCatalogController } from './catalog/catalog.controller';
import { EvidenceController } from './evidence/evidence.controller';
import { TenantPurgesModule } from './tenants/tenant-purges.module';
import { MemberRolesModule } from './tasks/member-roles.module';
import { TenantTimeZonesModule } from './tasks/tenant-time-zones.module';
import { ReviewQueueController, SubscriptionsController, SummaryController, TasksController } from './tasks/tasks.controller';
import { InvitationsController, MeController, TenantsController } from './tenants/tenants.controller';
import { EMBEDDED_POSTGRES, HealthController } from './health/health.controller';
import { NotificationsApiModule } from './notifications/notifications-api.module';
import { CalendarFeedController, CalendarFeedsController, EvidencePacksController, ReportsController } from './exports/exports.controller';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, target: DatabaseTarget, logger: Logger, withWorker: boolean): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(
            {
              url: target.appUrl,
              poolSize: config.databasePoolSize,
              applicationName: 'dutybook-api',
              connectTimeoutMs: config.databaseConnectTimeoutMs,
              statementTimeoutMs: config.databaseStatementTimeoutMs,
            },
            SCHEMA,
            logger,
          ),
          // Connection problems surface at start-up once, not through Nest's retry loop.
          retryAttempts: 0,
        }),
        DbModule.forRoot(),
        MetricsModule.forRoot(logger),
        EventsModule.forRoot(new AuditSink(logger)),
        NotifyModule.forRoot(logger),
        PassportModule,
        CatalogModule,
        TenancyModule,
        AuditModule,
        MemberRolesModule,
        TenantTimeZonesModule,
        TasksModule,
        EvidenceModule,
        ExportsModule,
        NotificationsApiModule,
        TenantPurgesModule,
        ...(withWorker ? [WorkerJobsModule.forRoot(target, logger)] : []),
      ],
      controllers: [
        HealthController,
        CatalogController,
        TenantCatalogController,
        AuthController,
        MeController,
        TenantsController,
        InvitationsController,
        SubscriptionsController,
        TasksController,
        SummaryController,
        ReviewQueueController,
        EvidenceController,
        AuditController,
        EvidencePacksController,
        ReportsController,
        CalendarFeedsController,
        CalendarFeedController,
      ],
      providers: [
        { provide: EMBEDDED_POSTGRES, useValue: target.embedded ?? null },
        JwtStrategy,
        LocalStrategy,
        // Order matters: authenticate, then resolve the tenant and check the role.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: TenantGuard },
      ],
    };
  }
}
