import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, withLogFields, type AppConfig, type Logger } from '../../libs/core';
import { createJobQueue, jobRequestId, TenantDb, type DatabaseTarget, type PgBoss } from '../../libs/db';
import { EvidencePurge, type EvidenceFilesPurgeJob } from '../../libs/evidence';
import { EvidencePacksService } from '../../libs/exports';
import type { CatalogPublishedJob } from '../../libs/catalog';
import { Mailer } from '../../libs/notify';
import { CatalogUpdateMails, ReminderJobs } from '../../libs/reminders';
import { CatalogUpgradeService, OccurrencesService, runCatalogUpgradeJob, type CatalogUpgradeJob } from '../../libs/tasks';
import {
  AuthHousekeeping,
  InvitationMails,
  PasswordResetMails,
  type InvitationMailJob,
  type PasswordResetMailJob,
} from '../../libs/tenancy';
import { EVIDENCE_PACK_EXPIRY_CRON, HOUSEKEEPING_CRON, QUEUES } from './queues';

export const WORKER_TARGET = Symbol('WORKER_TARGET');
export const WORKER_LOGGER = Symbol('WORKER_LOGGER');

/**
 * One job at a time (every queue here works with batchSize 1), run with its queue, its id and,
 * for a job a request queued, that request's id on every log line the handler and the libs it
 * calls write (libs/core withLogFields): a request's trace continues into its jobs.
 */
function traced<T extends object>(queue: string, handler: (job: PgBoss.Job<T>) => Promise<unknown>): PgBoss.WorkHandler<T> {
  return async ([job]) => {
    if (!job) return;
    await withLogFields({ job: queue, jobId: job.id, requestId: jobRequestId(job.data) }, () => handler(job));
  };
}

/**
 * Registers the schedules (cron, UTC; pg-boss runs each once across any number of workers) and
 * the handlers. Handlers hold no state: a job killed half-way is retried by pg-boss.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private boss: PgBoss | undefined;
  private reminders: ReminderJobs | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_TARGET) private readonly target: DatabaseTarget,
    @Inject(WORKER_LOGGER) private readonly logger: Logger,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly occurrences: OccurrencesService,
    private readonly db: TenantDb,
    private readonly housekeeping: AuthHousekeeping,
    private readonly invitationMails: InvitationMails,
    private readonly passwordResetMails: PasswordResetMails,
    private readonly packs: EvidencePacksService,
    private readonly evidencePurge: EvidencePurge,
    private readonly upgrades: CatalogUpgradeService,
    private readonly mailer: Mailer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const boss = createJobQueue(this.target.appUrl, { applicationName: 'dutybook-worker', schedule: true, supervise: true }, this.logger);
    await boss.start();
    this.boss = boss;
    await boss.schedule(QUEUES.rollover.name, this.config.rolloverCron, {}, { tz: 'UTC', singletonKey: 'rollover' });
    await boss.work(
      QUEUES.rollover.name,
      { batchSize: 1 },
      traced(QUEUES.rollover.name, async () => {
        const result = await this.occurrences.openAllStartedPeriods();
        this.logger.info({ ...result }, 'occurrence roll-over done');
      }),
    );
    const reminders = new ReminderJobs(this.ds, this.db, boss, this.config, this.logger, QUEUES.mailSend.name);
    this.reminders = reminders;
    await boss.schedule(QUEUES.remindersSweep.name, this.config.remindersCron, {}, { tz: 'UTC', singletonKey: 'reminders-sweep' });
    await boss.schedule(QUEUES.remindersDigest.name, this.config.digestCron, {}, { tz: 'UTC', singletonKey: 'reminders-digest' });
    await boss.work(
      QUEUES.remindersSweep.name,
      { batchSize: 1 },
      traced(QUEUES.remindersSweep.name, () => reminders.sweep()),
    );
    await boss.work(
      QUEUES.remindersDigest.name,
      { batchSize: 1 },
      traced(QUEUES.remindersDigest.name, () => reminders.digest()),
    );
    await reminders.workMailQueue();
    // One invitation mail per job; a throw (SMTP down, temporary refusal) makes pg-boss retry it.
    await boss.work<InvitationMailJob>(
      QUEUES.invitationMail.name,
      { batchSize: 1, pollingIntervalSeconds: 1 },
      traced<InvitationMailJob>(QUEUES.invitationMail.name, async (job) => {
        const result = await this.invitationMails.deliver(job.data);
        const log = { invitationId: job.data.invitationId, ...result };
        if (result.outcome === 'refused') this.logger.warn(log, 'invitation mail refused by the mail server; not retried');
        else this.logger.info(log, `invitation mail ${result.outcome}`);
      }),
    );
    // One reset mail per job; like invitations, a throw makes pg-boss retry it.
    await boss.work<PasswordResetMailJob>(
      QUEUES.passwordResetMail.name,
      { batchSize: 1, pollingIntervalSeconds: 1 },
      traced<PasswordResetMailJob>(QUEUES.passwordResetMail.name, async (job) => {
        const result = await this.passwordResetMails.deliver(job.data);
        const log = { passwordResetId: job.data.tokenId, ...result };
        if (result.outcome === 'refused') this.logger.warn(log, 'password reset mail refused by the mail server; not retried');
        else this.logger.info(log, `password reset mail ${result.outcome}`);
      }),
    );
    // A new catalog version: one mail per admin of each tenant on an older version. A throw
    // (SMTP down, temporary refusal) makes pg-boss retry it; what was sent is not sent again.
    const catalogMails = new CatalogUpdateMails(this.db, this.upgrades, this.mailer, this.config.publicUrl, this.logger);
    await boss.work<CatalogPublishedJob>(
      QUEUES.catalogPublished.name,
      { batchSize: 1, pollingIntervalSeconds: 1 },
      traced<CatalogPublishedJob>(QUEUES.catalogPublished.name, async (job) => {
        const result = await catalogMails.handle(job.data);
        this.logger.info({ versionId: job.data.versionId, ...result }, 'catalog update mails done');
      }),
    );
    // Subscription upgrades, a batch per job. Two pollers: the upgrades are short transactions,
    // so one keeps a connection busy while the other waits on its round trips. A poller that found
    // a job fetches again at once (pg-boss would otherwise sleep its polling interval after each).
    for (let i = 0; i < 2; i++) {
      let workerId = '';
      const handle = traced<CatalogUpgradeJob>(QUEUES.catalogUpgrade.name, async (job) => {
        const result = await runCatalogUpgradeJob(this.upgrades, job.data, this.logger);
        this.logger.info({ ...result }, 'catalog upgrades done');
      });
      workerId = await boss.work<CatalogUpgradeJob>(
        QUEUES.catalogUpgrade.name,
        { batchSize: 1, pollingIntervalSeconds: 1 },
        async (jobs) => {
          await handle(jobs);
          if (jobs.length > 0) boss.notifyWorker(workerId);
        },
      );
    }
    await boss.schedule(QUEUES.housekeeping.name, HOUSEKEEPING_CRON, {}, { tz: 'UTC', singletonKey: 'housekeeping' });
    await boss.work(
      QUEUES.housekeeping.name,
      { batchSize: 1 },
      traced(QUEUES.housekeeping.name, async () => {
        const pruned = await this.housekeeping.prune();
        this.logger.info({ ...pruned }, 'housekeeping done');
      }),
    );
    // One pack at a time per worker: a pack streams files and holds a storage upload open.
    await boss.work<{ tenantId: string; packId: string }>(QUEUES.evidencePack.name, { batchSize: 1 }, async ([job]) => {
      if (job) await this.packs.build(job.data.tenantId, job.data.packId, this.logger);
    });
    // A deleted tenant's files, after the deleting transaction committed (a throw: pg-boss retries).
    await boss.work<EvidenceFilesPurgeJob>(
      QUEUES.evidenceFilesPurge.name,
      { batchSize: 1, pollingIntervalSeconds: 1 },
      traced<EvidenceFilesPurgeJob>(QUEUES.evidenceFilesPurge.name, async (job) => {
        const removed = await this.evidencePurge.deleteFiles(job.data);
        this.logger.info({ tenantId: job.data.tenantId, removed }, 'deleted tenant: evidence files removed');
      }),
    );
    await boss.schedule(QUEUES.evidencePackExpiry.name, EVIDENCE_PACK_EXPIRY_CRON, {}, { tz: 'UTC', singletonKey: 'evidence-pack-expiry' });
    await boss.work(QUEUES.evidencePackExpiry.name, { batchSize: 1 }, async () => {
      await this.packs.expireDue(this.logger);
    });
    this.logger.info(
      { rollover: this.config.rolloverCron, reminders: this.config.remindersCron, digest: this.config.digestCron },
      'worker ready: schedules registered',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.boss?.stop({ graceful: true, wait: true, timeout: Math.max(1000, this.config.shutdownTimeoutMs - 2000) });
    this.reminders?.close();
  }
}
