import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig, Logger } from '../core';
import type { PgBoss, TenantDb } from '../db';
import { Mailer } from '../notify';
import { jwtSecret } from '../tenancy';
import { DIGEST_KINDS, SWEEP_KINDS, type MailJobData } from './reminder.types';
import { ReminderSender } from './sender';
import { sweepReminders, type SweepResult } from './sweep';
import { UnsubscribeTokens } from './unsubscribe-token';

/**
 * What the worker runs for reminders: the sweep (every 15 minutes), the digest (hourly) and the
 * mail-send handler. The sweep is one unscoped transaction around the definer functions (`ds`); each
 * delivery is a tenant-scoped unit of work (`db`). Holds its own mail transport (an SMTP pool, or the outbox folder).
 */
export class ReminderJobs {
  private readonly mailer: Mailer;
  private readonly sender: ReminderSender;

  constructor(
    private readonly ds: DataSource,
    db: TenantDb,
    private readonly boss: PgBoss,
    config: AppConfig,
    private readonly logger: Logger,
    private readonly mailQueue: string,
  ) {
    this.mailer = new Mailer(config, logger.child({ module: 'notify' }));
    this.sender = new ReminderSender(
      db,
      boss,
      this.mailer,
      new UnsubscribeTokens(jwtSecret(config)),
      { publicUrl: config.publicUrl, queue: mailQueue },
      logger,
    );
    if (config.smtpUrl) {
      logger.info({ mail: this.mailer.describe() }, `reminder mails go to ${this.mailer.describe()}`);
    } else {
      logger.info(
        { mail: this.mailer.describe() },
        `no SMTP_URL: reminder mails are written as .eml files under ${path.join(config.dataDir, 'outbox')}`,
      );
    }
  }

  async sweep(): Promise<SweepResult> {
    const result = await sweepReminders(this.ds, this.boss, { queue: this.mailQueue, kinds: SWEEP_KINDS });
    this.logger.info({ job: 'reminders-sweep', ...result }, 'reminder sweep done');
    return result;
  }

  async digest(): Promise<SweepResult> {
    const result = await sweepReminders(this.ds, this.boss, { queue: this.mailQueue, kinds: DIGEST_KINDS });
    this.logger.info({ job: 'reminders-digest', ...result }, 'digest sweep done');
    return result;
  }

  deliver(jobs: readonly PgBoss.Job<MailJobData>[]): Promise<void> {
    return this.sender.deliverBatch(jobs);
  }

  /**
   * Works the mail-send queue: `pollers` loops, each fetching up to `jobsPerFetch` jobs (chunks of
   * notifications). A full fetch means more are waiting, so that loop fetches again at once
   * instead of sleeping for pg-boss's polling interval.
   */
  async workMailQueue(pollers = 2, jobsPerFetch = 4): Promise<void> {
    for (let i = 0; i < pollers; i++) {
      let workerId = '';
      workerId = await this.boss.work<MailJobData>(this.mailQueue, { batchSize: jobsPerFetch, pollingIntervalSeconds: 1 }, async (jobs) => {
        await this.sender.deliverBatch(jobs);
        if (jobs.length === jobsPerFetch) this.boss.notifyWorker(workerId);
      });
    }
  }

  close(): void {
    this.mailer.close();
  }
}
