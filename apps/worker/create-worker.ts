import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { NestPinoLogger, type AppConfig, type Logger } from '../../libs/core';
import type { DatabaseTarget } from '../../libs/db';
import { WorkerModule } from './worker.module';

/** The worker: a Nest application context (no HTTP) holding the background jobs. */
export async function createWorker(config: AppConfig, target: DatabaseTarget, logger: Logger): Promise<INestApplicationContext> {
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, target, logger), {
    logger: new NestPinoLogger(logger.child({ app: 'worker' })),
    abortOnError: false,
  });
  await worker.init();
  return worker;
}
