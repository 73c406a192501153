import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from '../../libs/core';
import type { DatabaseTarget } from '../../libs/db';
import { OccurrencesModule, TasksModule } from '../../libs/tasks';
import { TenancyModule } from '../../libs/tenancy';
import { ExportsModule } from '../../libs/exports';
import { EvidenceModule } from '../../libs/evidence';
import { JobRunner, WORKER_LOGGER, WORKER_TARGET } from './job-runner';

/**
 * The background jobs (occurrence roll-over, reminder sweeps, invitation mails, housekeeping). Hosted by the worker process, or
 * by the api process when both run together (`npm start`).
 */
@Module({})
export class WorkerJobsModule {
  static forRoot(target: DatabaseTarget, logger: Logger): DynamicModule {
    return {
      module: WorkerJobsModule,
      // Roll-over is tasks' job; invitation mails and auth housekeeping are tenancy's.
      imports: [OccurrencesModule, TasksModule, TenancyModule, ExportsModule, EvidenceModule],
      providers: [
        { provide: WORKER_TARGET, useValue: target },
        { provide: WORKER_LOGGER, useValue: logger.child({ app: 'worker' }) },
        JobRunner,
      ],
    };
  }
}
