import { Global, Module } from '@nestjs/common';
import { EvidenceModule, EvidencePurge } from '../../../libs/evidence';
import { EvidencePacksService, ExportsModule } from '../../../libs/exports';
import { NotificationsService, RemindersModule } from '../../../libs/reminders';
import { TaskRepository, TasksModule } from '../../../libs/tasks';
import { TENANT_DATA_PURGES, type TenantDataPurge } from '../../../libs/tenancy';

/**
 * Binds libs/tenancy's TenantDataPurge list (tenancy is below these libs and cannot call them):
 * what each lib deletes of a deleted tenant, in the order the foreign keys need (packs and mail
 * log, then evidence, then tasks and subscriptions). docs/tenancy-admin.md.
 */
@Global()
@Module({
  imports: [ExportsModule, RemindersModule, EvidenceModule, TasksModule],
  providers: [
    {
      provide: TENANT_DATA_PURGES,
      inject: [EvidencePacksService, NotificationsService, EvidencePurge, TaskRepository],
      useFactory: (
        packs: EvidencePacksService,
        notifications: NotificationsService,
        evidence: EvidencePurge,
        tasks: TaskRepository,
      ): TenantDataPurge[] => [
        { name: 'evidencePacks', purge: (tenantId) => packs.purgeTenant(tenantId) },
        { name: 'notifications', purge: (tenantId) => notifications.purgeTenant(tenantId) },
        { name: 'evidence', purge: (tenantId, requestId) => evidence.purgeTenant(tenantId, requestId) },
        { name: 'tasks', purge: (tenantId) => tasks.purgeTenant(tenantId) },
      ],
    },
  ],
  exports: [TENANT_DATA_PURGES],
})
export class TenantPurgesModule {}
