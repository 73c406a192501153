import { Module } from '@nestjs/common';
import { AuditExportReader } from '../audit';
import { JOB_SCHEMA, PgBoss } from '../db';
import { EvidenceModule, EvidenceExportReader } from '../evidence';
import { TaskExportReader, TasksModule } from '../tasks';
import { TenancyModule } from '../tenancy';
import { CalendarFeedsService } from './calendar-feeds.service';
import { EvidencePacksService, PACK_JOBS } from './evidence-packs.service';
import { ExportContext } from './export-context';
import { PackVerifierService } from './pack-verifier.service';
import { ReportsService } from './reports.service';

/**
 * A pg-boss client that never connects: it only writes jobs through the caller's transaction
 * (`send(..., { db: inTransaction(em) })`), so a pack's job exists exactly when its row commits.
 */
function jobWriter(): PgBoss {
  return new PgBoss({
    schema: JOB_SCHEMA,
    db: {
      executeSql: () => Promise.reject(new Error('exports: jobs are sent inside a transaction (inTransaction)')),
    },
  });
}

/** Evidence packs, reports, exports and calendar feeds (docs/exports.md). */
@Module({
  imports: [TasksModule, EvidenceModule, TenancyModule],
  providers: [
    TaskExportReader,
    EvidenceExportReader,
    AuditExportReader,
    ExportContext,
    EvidencePacksService,
    ReportsService,
    CalendarFeedsService,
    PackVerifierService,
    { provide: PACK_JOBS, useFactory: jobWriter },
  ],
  exports: [EvidencePacksService, ReportsService, CalendarFeedsService, PackVerifierService],
})
export class ExportsModule {}
