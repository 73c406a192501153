import { Catalog1764000000000 } from './1764000000000-catalog';
import { Tenancy1764000001000 } from './1764000001000-tenancy';
import { Tasks1764000002000 } from './1764000002000-tasks';
import { Evidence1764000003000 } from './1764000003000-evidence';
import { Audit1764000004000 } from './1764000004000-audit';
import { Reminders1764000005000 } from './1764000005000-reminders';
import { MemberRole1764000006000 } from './1764000006000-member-role';
import { TaskWithdrawn1764000200000 } from './1764000200000-task-withdrawn';
import { ActivityCard1764000200100 } from './1764000200100-activity-card';
import { CatalogAttribution1764000200200 } from './1764000200200-catalog-attribution';
import { RemindersDataAccess1764000300000 } from './1764000300000-reminders-data-access';
import { Exports1764000500000 } from './1764000500000-exports';
import { CatalogDataAccess1764000600000 } from './1764000600000-catalog-data-access';
import { TaskCatalogChange1764000650000 } from './1764000650000-task-catalog-change';
import { DistributionKeys1764000700000 } from './1764000700000-distribution-keys';
import { RateLimitSliding1764000750000 } from './1764000750000-rate-limit-sliding';
import { ReminderSummaries1764000800000 } from './1764000800000-reminder-summaries';
import { InvitationRevoked1764001100000 } from './1764001100000-invitation-revoked';
import { SubscriptionEnded1764001100100 } from './1764001100100-subscription-ended';
import { TenantDeletion1764001100200 } from './1764001100200-tenant-deletion';
import { OperationsMetrics1764001400000 } from './1764001400000-operations-metrics';
import { PasswordReset1764001000000 } from './1764001000000-password-reset';
import { SummaryReviewQueue1764001200000 } from './1764001200000-summary-review-queue';
import { CatalogUpdateMail1764001300000 } from './1764001300000-catalog-update-mail';
import { TenantTimeZone1764001500000 } from './1764001500000-tenant-time-zone';
import { DigestTenantZone1764001600000 } from './1764001600000-digest-tenant-zone';
import { ReminderJobsById1764001700000 } from './1764001700000-reminder-jobs-by-id';

/** Every migration, in order. Listed explicitly so sources (tests) and dist run the same set. */
export const MIGRATIONS = [
  Catalog1764000000000,
  Tenancy1764000001000,
  Tasks1764000002000,
  Evidence1764000003000,
  Audit1764000004000,
  Reminders1764000005000,
  MemberRole1764000006000,
  TaskWithdrawn1764000200000,
  ActivityCard1764000200100,
  CatalogAttribution1764000200200,
  RemindersDataAccess1764000300000,
  Exports1764000500000,
  CatalogDataAccess1764000600000,
  TaskCatalogChange1764000650000,
  DistributionKeys1764000700000,
  RateLimitSliding1764000750000,
  ReminderSummaries1764000800000,
  PasswordReset1764001000000,
  InvitationRevoked1764001100000,
  SubscriptionEnded1764001100100,
  TenantDeletion1764001100200,
  SummaryReviewQueue1764001200000,
  CatalogUpdateMail1764001300000,
  OperationsMetrics1764001400000,
  TenantTimeZone1764001500000,
  DigestTenantZone1764001600000,
  ReminderJobsById1764001700000,
];
