import { Injectable } from '@nestjs/common';
import type { TenantContext } from '../core';
import { SubscriptionsService } from '../tasks';
import { MembersService, TenantsService } from '../tenancy';
import type { ReportCommitment } from './writers/pdf-report';

/** What every export prints about its tenant, read through the owning libs' services. */
export interface ExportAbout {
  tenantName: string;
  /** The tenant's time zone (TenantsService.timeZone): reports and feeds show times in it, naming it. */
  timezone: string;
  catalogs: { subscriptionId: string; key: string; version: string }[];
  /** Members by user id (names for assignees, reviewers, uploaders). */
  people: Map<string, { name: string; email: string }>;
  commitments: ReportCommitment[];
}

@Injectable()
export class ExportContext {
  constructor(
    private readonly tenants: TenantsService,
    private readonly members: MembersService,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  async describe(ctx: TenantContext, subscriptionId?: string): Promise<ExportAbout> {
    const tenant = await this.tenants.get(ctx);
    const timezone = await this.tenants.timeZone(ctx);
    const subs = (await this.subscriptions.list(ctx)).filter((s) => !subscriptionId || s.id === subscriptionId);
    const people = new Map<string, { name: string; email: string }>();
    let cursor: string | undefined;
    do {
      const page = await this.members.list(ctx, { limit: 200, ...(cursor ? { cursor } : {}) });
      for (const m of page.items) people.set(m.userId, { name: m.name, email: m.email });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const commitments: ReportCommitment[] = [];
    for (const s of subs)
      for (const c of await this.subscriptions.providerCommitments(ctx, s.id))
        commitments.push({
          activityKey: c.activityKey,
          section: c.section,
          title: c.title,
          provider: c.raci['provider'] ?? '',
          customer: c.raci['customer'] ?? '',
        });
    return {
      tenantName: tenant.name,
      timezone,
      catalogs: subs.map((s) => ({ subscriptionId: s.id, key: s.catalogKey, version: s.catalogVersion })),
      people,
      commitments,
    };
  }
}
