import 'reflect-metadata';
import { ConfigError, createLogger, loadConfig } from '../../libs/core';
import { createDataSource, createJobQueue, resolveDatabase } from '../../libs/db';
import { sweepReminders } from '../../libs/reminders';
import { migrate } from '../runtime/prepare-database';
import { SCHEMA } from '../runtime/schema';
import { QUEUES } from '../worker/queues';

/**
 * `npm run reminders:sweep`: one sweep of every kind (digests included) now, against the
 * configured database. Exit 0 once the notifications it wrote and their mail-send jobs are
 * committed; a running worker (`npm start`, `npm run start:worker`) then sends them.
 */
async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, 'dutybook-reminders');
  const target = await resolveDatabase(config, logger);
  try {
    if (config.migrateOnStart) await migrate(target, logger);
    const ds = createDataSource({ url: target.appUrl, poolSize: 2, applicationName: 'dutybook-cli' }, SCHEMA, logger);
    await ds.initialize();
    try {
      // Not started: it only writes jobs, inside the sweep's own transaction.
      const boss = createJobQueue(target.appUrl, { applicationName: 'dutybook-cli', schedule: false, supervise: false }, logger);
      const result = await sweepReminders(ds, boss, { queue: QUEUES.mailSend.name });
      process.stdout.write(`queued ${result.queued} notification(s)${result.requeued > 0 ? `, queued ${result.requeued} again` : ''}\n`);
      return 0;
    } finally {
      await ds.destroy();
    }
  } finally {
    await target.embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`reminders:sweep failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
