import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ForbiddenRoleError, isUuid, type AppConfig, type TenantContext } from '../core';
import { TenantDb } from '../db';
import { OPEN_STATUSES, TaskExportReader, type ExportTaskCursor } from '../tasks';
import { TenantsService } from '../tenancy';
import { CalendarFeedEntity } from './exports.entities';
import { CalendarFeedNotFoundError } from './exports.errors';
import { ExportContext } from './export-context';
import { icalDocument, type FeedEvent } from './writers/ical';

export type FeedScope = 'assigned' | 'tenant';

export interface CalendarFeedView {
  id: string;
  scope: FeedScope;
  createdAt: string;
  revokedAt: string | null;
}

/** Most events a feed lists (open tasks with a due date, soonest first). */
const FEED_MAX = 5000;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Secret iCalendar URLs. The token is `<tenant id>.<32 random bytes, base64url>`: the tenant part
 * selects the row-level-security scope the lookup runs in, and the token's sha256 finds the feed (the
 * token itself is shown once and never stored). A revoked feed, a user no longer member, or a
 * tenant-wide feed of someone no longer admin answers 404.
 */
@Injectable()
export class CalendarFeedsService {
  constructor(
    private readonly db: TenantDb,
    private readonly tasks: TaskExportReader,
    private readonly tenants: TenantsService,
    private readonly context: ExportContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(ctx: TenantContext, scope: FeedScope): Promise<CalendarFeedView & { url: string; token: string }> {
    if (scope === 'tenant' && ctx.role !== 'admin') throw new ForbiddenRoleError(ctx.role, ['admin']);
    const id = randomUUID();
    const token = `${ctx.tenantId}.${randomBytes(32).toString('base64url')}`;
    const row = await this.db.run(ctx, async () => {
      const repo = this.db.em.getRepository(CalendarFeedEntity);
      await repo.insert({ id, tenantId: ctx.tenantId, userId: ctx.userId, scope, tokenHash: sha256(token) });
      return repo.findOneByOrFail({ tenantId: ctx.tenantId, id });
    });
    return { ...toView(row), token, url: `${this.config.publicUrl}/api/v1/calendar-feeds/${token}.ics` };
  }

  /** The caller's own feeds. */
  async list(ctx: TenantContext): Promise<CalendarFeedView[]> {
    const rows = await this.db.run(ctx, () =>
      this.db.em
        .getRepository(CalendarFeedEntity)
        .find({ where: { tenantId: ctx.tenantId, userId: ctx.userId }, order: { createdAt: 'DESC' } }),
    );
    return rows.map(toView);
  }

  /** Revokes one of the caller's feeds (an admin may revoke anyone's in the tenant). */
  async revoke(ctx: TenantContext, id: string): Promise<void> {
    if (!isUuid(id)) throw new CalendarFeedNotFoundError();
    await this.db.run(ctx, async () => {
      const repo = this.db.em.getRepository(CalendarFeedEntity);
      const feed = await repo.findOneBy({ tenantId: ctx.tenantId, id });
      if (!feed || feed.revokedAt !== null || (feed.userId !== ctx.userId && ctx.role !== 'admin')) throw new CalendarFeedNotFoundError();
      await repo.update({ tenantId: ctx.tenantId, id }, { revokedAt: new Date() });
    });
  }

  /** The feed's document, computed now (live); 404 for anything but a valid, unrevoked token. */
  async render(token: string, requestId: string): Promise<string> {
    const [tenantId, secret, extra] = token.split('.');
    if (!tenantId || !secret || extra !== undefined || !isUuid(tenantId) || !/^[A-Za-z0-9_-]{43}$/.test(secret))
      throw new CalendarFeedNotFoundError();
    const feed = await this.db.run({ tenantId, userId: null }, () =>
      this.db.em.getRepository(CalendarFeedEntity).findOneBy({ tenantId, tokenHash: sha256(token) }),
    );
    if (!feed || feed.revokedAt !== null) throw new CalendarFeedNotFoundError();
    const role = await this.tenants.resolveRole(feed.userId, tenantId).catch(() => null);
    if (role === null || (feed.scope === 'tenant' && role !== 'admin')) throw new CalendarFeedNotFoundError();
    const ctx: TenantContext = { tenantId, userId: feed.userId, role, requestId, ip: '' };
    const about = await this.context.describe(ctx);
    const events: FeedEvent[] = [];
    let after: ExportTaskCursor | null = null;
    const filter = { status: [...OPEN_STATUSES], ...(feed.scope === 'assigned' ? { assigneeId: feed.userId } : {}) };
    do {
      const page = await this.tasks.page(ctx, filter, after, 500);
      for (const t of page.items) {
        if (t.dueDate === null) continue;
        events.push({
          uid: t.id,
          dueDate: t.dueDate,
          summary: `${t.activityKey} ${t.title}`,
          description: `${t.status.replace('_', ' ')} · section ${t.section} · ${t.phase}${t.assigneeId ? ` · ${about.people.get(t.assigneeId)?.name ?? ''}` : ''}`,
          url: `${this.config.publicUrl}/tenants/${tenantId}/tasks/${t.id}`,
          updatedAt: new Date(t.updatedAt),
        });
        if (events.length >= FEED_MAX) break;
      }
      after = events.length >= FEED_MAX ? null : page.next;
    } while (after !== null);
    events.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.uid.localeCompare(b.uid));
    const host = new URL(this.config.publicUrl).host;
    return icalDocument({
      name: feed.scope === 'tenant' ? `${about.tenantName}: open duties` : `${about.tenantName}: my duties`,
      timezone: about.timezone,
      host,
      events,
    });
  }
}

function toView(f: CalendarFeedEntity): CalendarFeedView {
  return { id: f.id, scope: f.scope, createdAt: f.createdAt.toISOString(), revokedAt: f.revokedAt?.toISOString() ?? null };
}
