import 'reflect-metadata';
import { createLogger, type AppConfig } from '../../libs/core';
import { createDataSource, createJobQueue, resolveDatabase } from '../../libs/db';
import { sweepReminders } from '../../libs/reminders';
import { migrate } from '../runtime/prepare-database';
import { SCHEMA } from '../runtime/schema';
import { QUEUES } from '../worker/queues';
import { runCli } from './run-cli';

/**
 * `npm run reminders:sweep`: one sweep of every kind (digests included) now, against the
 * configured database. Exit 0 once the notifications it wrote and their mail-send jobs are
 * committed; a running worker (`npm start`, `npm run start:worker`) then sends them.
 */
async function main(config: AppConfig): Promise<number> {
  const logger = createLogger(config.logLevel, 'dutybook-reminders');
  const target = await resolveDatabase(config, logger, { embedded: 'share' });
  try {
    if (config.migrateOnStart) await migrate(target, logger);
    const ds = createDataSource({ url: target.appUrl, poolSize: 2, applicationName: 'dutybook-cli' }, SCHEMA, logger);
    await ds.initialize();
    try {
      // Not started: it only writes jobs, inside the sweep's own transaction.
      const boss = createJobQueue(target.appUrl, { applicationName: 'dutybook-cli', schedule: false, supervise: false }, logger);
      const result = await sweepReminders(ds, boss, { queue: QUEUES.mailSend.name });
      process.stdout.write(`queued ${result.queued} mail(s)${result.requeued > 0 ? `, queued ${result.requeued} again` : ''}\n`);
      return 0;
    } finally {
      await ds.destroy();
    }
  } finally {
    await target.embedded?.stop();
  }
}

runCli('reminders:sweep', main);
