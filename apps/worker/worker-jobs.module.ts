import { Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';

@Injectable()
class WorkerStatus implements OnApplicationBootstrap {
  private readonly logger = new Logger('Worker');
  onApplicationBootstrap(): void {
    this.logger.log('worker ready: no background job is registered yet');
  }
}

/**
 * The background jobs (reminder sweeps, occurrence roll-over). Hosted by the worker process, or
 * by the api process when both run together (`npm start`).
 */
@Module({ providers: [WorkerStatus] })
export class WorkerJobsModule {}
