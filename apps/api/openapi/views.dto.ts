import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PHASES } from '../../../libs/catalog';
import { ROLES, type Role } from '../../../libs/core';
import type {
  InvitationView,
  MemberView,
  MembershipView,
  OpenInvitationView,
  TenantView,
  TokenPair,
  UserView,
} from '../../../libs/tenancy';
import type {
  CatalogChange,
  ProviderCommitmentView,
  ReviewQueueItemView,
  ReviewView,
  SubscriptionView,
  SummaryCounts,
  SummaryDueView,
  SummaryRejectedView,
  SummaryTaskView,
  SummaryWeekView,
  TaskEventView,
  TaskStatus,
  TaskSummaryView,
  TaskView,
  UpgradeAddedDuty,
  UpgradeChangedDuty,
  UpgradeResult,
  UpgradeWithdrawnDuty,
} from '../../../libs/tasks';
import {
  NOTIFICATION_KINDS,
  NOTIFICATION_STATUSES,
  type NotificationKind,
  type NotificationPage,
  type NotificationPreferencesView,
  type NotificationStatus,
  type NotificationView,
  type ReminderSettingsView,
  type UnsubscribeResult,
} from '../../../libs/reminders';
import {
  PACK_STATES,
  type CalendarFeedView,
  type EvidencePackView,
  type FeedScope,
  type PackState,
  type PackVerification,
} from '../../../libs/exports';
import { EvidenceDto } from '../evidence/evidence.dto';
import { AuditEventDto } from '../audit/audit.dto';
import { ActivityChangesDto } from '../catalog/catalog.dto';

// Response schemas for OpenAPI (and so for the console's generated client). Each class
// `implements` the lib's view interface, so a field added or renamed in a lib without its schema
// here fails the typecheck instead of drifting silently.

const STATUSES: TaskStatus[] = ['todo', 'in_progress', 'done', 'approved', 'rejected', 'not_applicable', 'withdrawn'];
const RACI = {
  type: 'object',
  additionalProperties: { type: 'string' },
  example: { customer: 'RA', provider: 'I' },
  description: "Letters per party, R/A/C/I in that order; '' where the party has none.",
} as const;

export class UserDto implements UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'email' }) email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class PasswordResetRequestedDto {
  @ApiProperty({
    example: 'If an account uses this address, a link to choose a new password is on its way. It works once, for one hour.',
  })
  message!: string;
}

export class TenantDto implements TenantView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ enum: ROLES, description: "The caller's role in it." }) role!: Role;
}

export class MembershipDto implements MembershipView {
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty() tenantName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt!: string | null;
}

export class MeDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ type: [MembershipDto] }) memberships!: MembershipDto[];
}

export class MembershipPageDto {
  @ApiProperty({ type: [MembershipDto] }) items!: MembershipDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class MemberDto implements MemberView {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'email' }) email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt!: string | null;
  @ApiProperty({ format: 'date-time' }) joinedAt!: string;
}

export class MemberPageDto {
  @ApiProperty({ type: [MemberDto] }) items!: MemberDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class InvitationDto implements InvitationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'email' }) email!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ format: 'date-time', description: 'When the link stops working.' }) expiresAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) membershipExpiresAt!: string | null;
}

class InviterDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
}

export class OpenInvitationDto extends InvitationDto implements OpenInvitationView {
  @ApiProperty({ enum: ['pending', 'expired'] }) state!: 'pending' | 'expired';
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: InviterDto }) invitedBy!: InviterDto;
}

export class OpenInvitationPageDto {
  @ApiProperty({ type: [OpenInvitationDto] }) items!: OpenInvitationDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TokenPairDto implements TokenPair {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ description: 'Opaque; spent on use.' }) refreshToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires.' }) expiresIn!: number;
}

export class LoginResultDto extends TokenPairDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
}

export class SignupResultDto extends LoginResultDto {
  @ApiProperty({ type: TenantDto }) tenant!: TenantDto;
}

class TenantRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

export class AcceptResultDto {
  @ApiProperty({ type: TenantRefDto }) tenant!: TenantRefDto;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ description: 'True when the invitation created the account; then `tokens` logs it in.' }) accountCreated!: boolean;
  @ApiPropertyOptional({ type: TokenPairDto }) tokens?: TokenPairDto;
}

export class SubscriptionDto implements SubscriptionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() catalogKey!: string;
  @ApiProperty() catalogVersion!: string;
  @ApiProperty({ enum: PHASES }) phase!: SubscriptionView['phase'];
  @ApiProperty({ format: 'date' }) startsOn!: string;
  @ApiProperty({ example: 'Europe/Paris' }) timezone!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', format: 'date' } })
  phaseStartedOn!: SubscriptionView['phaseStartedOn'];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When an admin ended it; null while it runs.' })
  endedAt!: string | null;
}

export class SubscribeResultDto extends SubscriptionDto {
  @ApiProperty() tasksCreated!: number;
}

export class SubscriptionEndedDto extends SubscriptionDto {
  @ApiProperty({ description: 'Tasks withdrawn by this call (0 when it was already ended).' }) tasksWithdrawn!: number;
}

export class SubscriptionPageDto {
  @ApiProperty({ type: [SubscriptionDto] }) items!: SubscriptionDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CatalogChangeDto implements CatalogChange {
  @ApiProperty({ description: 'Catalog version the duty was read from before the upgrade.' }) fromVersion!: string;
  @ApiProperty({ description: 'Catalog version after the upgrade.' }) toVersion!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', properties: { before: {}, after: {} } },
    description: "Each changed field (title, section, phase, cadence, a party's letters) with its before and after.",
  })
  changes!: CatalogChange['changes'];
}

export class TaskDto implements TaskView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty() activityKey!: string;
  @ApiProperty() title!: string;
  @ApiProperty() section!: string;
  @ApiProperty({ enum: PHASES }) phase!: TaskView['phase'];
  @ApiProperty({ nullable: true, type: String, description: 'ISO-8601 period, null for a one-off duty.' }) cadence!: string | null;
  @ApiProperty() optional!: boolean;
  @ApiProperty(RACI) raci!: Record<string, string>;
  @ApiProperty({ enum: STATUSES }) status!: TaskStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date', description: 'Null while its phase has not started.' })
  dueDate!: string | null;
  @ApiProperty({ format: 'date' }) periodStart!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) periodEnd!: string | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) assigneeId!: string | null;
  @ApiProperty({ nullable: true, type: String }) notApplicableReason!: string | null;
  @ApiProperty() evidenceCount!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) completedBy!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({
    type: CatalogChangeDto,
    nullable: true,
    description: 'Set by a catalog upgrade when the duty behind this task changed (title or letters): before and after.',
  })
  catalogChange!: CatalogChange | null;
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskDto] }) items!: TaskDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ReviewRecordDto implements ReviewView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) reviewerId!: string;
  @ApiProperty({ enum: ['approve', 'reject'] }) decision!: 'approve' | 'reject';
  @ApiProperty({ nullable: true, type: String }) comment!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class TaskReviewedDto extends TaskDto {
  @ApiProperty({ type: ReviewRecordDto }) review!: ReviewRecordDto;
}

export class TaskEventDto implements TaskEventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date' }) occurredOn!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

class TaskActivityDto {
  @ApiProperty() key!: string;
  @ApiProperty({ description: 'The cell as the provider wrote it.' }) raw!: string;
  @ApiProperty({ description: 'False where the reading of the cell is uncertain.' }) certain!: boolean;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
}

export class TaskDetailDto extends TaskDto {
  @ApiProperty({ type: TaskActivityDto }) activity!: TaskActivityDto;
  @ApiProperty({ type: [ReviewRecordDto] }) reviews!: ReviewRecordDto[];
  @ApiProperty({ type: [TaskEventDto] }) events!: TaskEventDto[];
  @ApiProperty({ type: [EvidenceDto] }) evidence!: EvidenceDto[];
  @ApiProperty({ type: [AuditEventDto], description: 'Audit events of the task and its evidence, oldest first.' })
  history!: AuditEventDto[];
}

export class NotificationPreferencesDto implements NotificationPreferencesView {
  @ApiProperty() dueSoon!: boolean;
  @ApiProperty() overdue!: boolean;
  @ApiProperty() digest!: boolean;
  @ApiProperty() escalation!: boolean;
  @ApiProperty() reviewRejected!: boolean;
  @ApiProperty({ nullable: true, type: String, description: "IANA name; null: the tenant's." }) timezone!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) updatedAt!: string | null;
}

export class ReminderSettingsResponseDto implements ReminderSettingsView {
  @ApiProperty({ type: [Number], description: 'Days before the due date a due-soon mail goes out, largest first.' })
  reminderDays!: number[];
  @ApiProperty({ description: "Days overdue after which the tenant's admins are told." }) escalationDays!: number;
  @ApiProperty({
    example: 'Europe/Paris',
    description: 'The tenant\'s time zone (IANA): "today" for its duties (every subscription follows it) and the zone of report times.',
  })
  timeZone!: string;
}

export class ProviderCommitmentDto implements ProviderCommitmentView {
  @ApiProperty() activityKey!: string;
  @ApiProperty() title!: string;
  @ApiProperty() section!: string;
  @ApiProperty({ enum: PHASES }) phase!: ProviderCommitmentView['phase'];
  @ApiProperty(RACI) raci!: ProviderCommitmentView['raci'];
  @ApiProperty({ description: 'The cell as the provider wrote it.' }) raw!: string;
  @ApiProperty({ description: 'False where the reading of the cell is uncertain.' }) certain!: boolean;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
}

export class ProviderCommitmentPageDto {
  @ApiProperty({ type: [ProviderCommitmentDto] }) items!: ProviderCommitmentDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

class UpgradeAddedDutyDto implements UpgradeAddedDuty {
  @ApiProperty() activityKey!: string;
  @ApiProperty() title!: string;
  @ApiProperty() section!: string;
  @ApiProperty({ enum: PHASES }) phase!: UpgradeAddedDuty['phase'];
  @ApiProperty({ nullable: true, type: String, format: 'date' }) dueDate!: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'The task created (applied upgrades only).' }) taskId?: string;
}

class UpgradeWithdrawnDutyDto implements UpgradeWithdrawnDuty {
  @ApiProperty() activityKey!: string;
  @ApiProperty() title!: string;
  @ApiProperty({
    enum: ['removed', 'provider'],
    description: '`removed`: not in the new version; `provider`: the customer no longer holds R or A.',
  })
  reason!: 'removed' | 'provider';
  @ApiProperty({ type: [String], format: 'uuid', description: 'Its tasks withdrawn (still open or awaiting review).' }) taskIds!: string[];
}

class UpgradeChangedDutyDto implements UpgradeChangedDuty {
  @ApiProperty() activityKey!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: ActivityChangesDto }) changes!: UpgradeChangedDuty['changes'];
  @ApiProperty({ type: [String], format: 'uuid', description: 'Its tasks, kept and flagged.' }) taskIds!: string[];
}

export class UpgradeResultDto implements UpgradeResult {
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty() catalogKey!: string;
  @ApiProperty() fromVersion!: string;
  @ApiProperty() toVersion!: string;
  @ApiProperty({ description: 'False for a preview, and for an upgrade with nothing to do (already on the version).' }) applied!: boolean;
  @ApiProperty({ type: [UpgradeAddedDutyDto] }) added!: UpgradeAddedDutyDto[];
  @ApiProperty({ type: [UpgradeWithdrawnDutyDto] }) withdrawn!: UpgradeWithdrawnDutyDto[];
  @ApiProperty({ type: [UpgradeChangedDutyDto] }) changed!: UpgradeChangedDutyDto[];
}

class PackProgressDto {
  @ApiProperty() filesDone!: number;
  @ApiProperty() filesTotal!: number;
  @ApiProperty() bytesDone!: number;
  @ApiProperty() bytesTotal!: number;
}

export class EvidencePackDto implements EvidencePackView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: PACK_STATES }) state!: PackState;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The filter the pack was requested with.' })
  filter!: Record<string, unknown>;
  @ApiProperty({ format: 'uuid' }) requestedBy!: string;
  @ApiProperty({ type: PackProgressDto }) progress!: PackProgressDto;
  @ApiProperty({ nullable: true, type: Number, description: 'Bytes of the ZIP, once built.' }) size!: number | null;
  @ApiProperty({ nullable: true, type: String }) sha256!: string | null;
  @ApiProperty({ nullable: true, type: String }) manifestSha256!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the build failed.' }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt!: string | null;
}

export class EvidencePackListDto {
  @ApiProperty({ type: [EvidencePackDto] }) items!: EvidencePackDto[];
}

class ManifestRecordDto {
  @ApiProperty() seq!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ format: 'uuid' }) packId!: string;
}

class ManifestCheckDto {
  @ApiProperty() sha256!: string;
  @ApiProperty({
    type: ManifestRecordDto,
    nullable: true,
    description: "The `evidence_pack.generated` event of this tenant's audit trail that recorded this manifest hash, if any.",
  })
  recordedAt!: ManifestRecordDto | null;
  @ApiProperty({ description: 'The tenant the manifest names is the one asked about.' }) tenantMatches!: boolean;
}

class FileCheckDto {
  @ApiProperty() path!: string;
  @ApiProperty() expected!: string;
  @ApiProperty({ nullable: true, type: String }) actual!: string | null;
  @ApiProperty() match!: boolean;
}

export class PackVerificationDto implements PackVerification {
  @ApiProperty({ description: 'The manifest hash is in the audit trail, every file matches, none missing or added.' }) valid!: boolean;
  @ApiProperty({ type: ManifestCheckDto }) manifest!: ManifestCheckDto;
  @ApiProperty({ type: [FileCheckDto], description: 'Only for a pack upload: each file the manifest lists.' }) files!: FileCheckDto[];
  @ApiProperty({ type: [String], description: 'Entries of the upload the manifest does not list.' }) unexpected!: string[];
}

export class CalendarFeedDto implements CalendarFeedView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['assigned', 'tenant'] }) scope!: FeedScope;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revokedAt!: string | null;
}

export class CreatedCalendarFeedDto extends CalendarFeedDto {
  @ApiProperty({ format: 'uri', description: 'The feed URL to subscribe to; shown once.' }) url!: string;
  @ApiProperty({ description: 'The secret in the URL; shown once, never stored.' }) token!: string;
}

export class CalendarFeedListDto {
  @ApiProperty({ type: [CalendarFeedDto] }) items!: CalendarFeedDto[];
}

export class NotificationDto implements NotificationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) recipientId!: string;
  @ApiProperty({ nullable: true, type: String, format: 'email', description: 'Null when the account no longer exists.' })
  recipientEmail!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) taskId!: string | null;
  @ApiProperty({ enum: NOTIFICATION_KINDS }) kind!: NotificationKind;
  @ApiProperty({ description: 'The period the mail is about (one mail per kind, task and window).' }) window!: string;
  @ApiProperty({ enum: NOTIFICATION_STATUSES }) status!: NotificationStatus;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sentAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) failedAt!: string | null;
}

export class NotificationPageDto implements NotificationPage {
  @ApiProperty({ type: [NotificationDto] }) items!: NotificationDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class UnsubscribeResultDto implements UnsubscribeResult {
  @ApiProperty({ enum: NOTIFICATION_KINDS, description: 'The mails turned off.' }) kind!: NotificationKind;
  @ApiProperty({ enum: [false] }) enabled!: false;
}

export class SummaryCountsDto implements SummaryCounts {
  @ApiProperty({ description: 'Every task except the withdrawn ones.' }) total!: number;
  @ApiProperty({ description: 'todo + in_progress + rejected.' }) open!: number;
  @ApiProperty({ description: "Open and due before today in the subscription's time zone." }) overdue!: number;
  @ApiProperty() todo!: number;
  @ApiProperty() inProgress!: number;
  @ApiProperty({ description: 'done: completed, waiting for a review.' }) awaitingReview!: number;
  @ApiProperty() approved!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty() notApplicable!: number;
  @ApiProperty({ description: 'Taken away by a catalog upgrade: not in total.' }) withdrawn!: number;
}

export class SummaryTaskDto implements SummaryTaskView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() activityKey!: string;
  @ApiProperty() title!: string;
  @ApiProperty() section!: string;
  @ApiProperty({ enum: PHASES }) phase!: SummaryTaskView['phase'];
  @ApiProperty({ enum: STATUSES }) status!: TaskStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) dueDate!: string | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) assigneeId!: string | null;
}

export class SummaryDueDto implements SummaryDueView {
  @ApiProperty() count!: number;
  @ApiProperty({ type: [SummaryTaskDto], description: 'The first five, soonest first.' }) tasks!: SummaryTaskDto[];
}

class SummaryRejectionDto {
  @ApiProperty({ type: SummaryTaskDto }) task!: SummaryTaskDto;
  @ApiProperty({ nullable: true, type: String }) comment!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) rejectedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) reviewerId!: string | null;
}

export class SummaryRejectedDto implements SummaryRejectedView {
  @ApiProperty() count!: number;
  @ApiProperty({ type: [SummaryRejectionDto], description: 'The five latest rejections still to redo, with their comment.' })
  tasks!: SummaryRejectionDto[];
}

export class SummaryWeekDto implements SummaryWeekView {
  @ApiProperty({ format: 'date', description: "Monday of the week, in the tenant's time zone." }) weekStart!: string;
  @ApiProperty({ description: 'Tasks whose last completion fell in the week.' }) completed!: number;
  @ApiProperty({ description: 'Approvals given in the week.' }) approved!: number;
  @ApiProperty({ description: 'Rejections given in the week.' }) rejected!: number;
}

class SummaryPhaseDto {
  @ApiProperty({ enum: PHASES }) phase!: TaskSummaryView['byPhase'][number]['phase'];
  @ApiProperty({ type: SummaryCountsDto }) counts!: SummaryCountsDto;
}

class SummarySectionDto {
  @ApiProperty() section!: string;
  @ApiProperty({ type: SummaryCountsDto }) counts!: SummaryCountsDto;
}

export class TaskSummaryDto implements TaskSummaryView {
  @ApiProperty({ description: "The tenant's time zone (set by its admins in the reminder settings): the weeks are its." })
  timezone!: string;
  @ApiProperty({ format: 'date', description: 'Today in that time zone.' }) today!: string;
  @ApiProperty({ type: SummaryCountsDto }) totals!: SummaryCountsDto;
  @ApiProperty({ type: [SummaryPhaseDto], description: 'Phases in lifecycle order, those with tasks only.' }) byPhase!: SummaryPhaseDto[];
  @ApiProperty({ type: [SummarySectionDto], description: 'Sections by key.' }) bySection!: SummarySectionDto[];
  @ApiProperty({ type: SummaryDueDto, description: 'Open tasks due from today to 6 days after.' }) dueIn7Days!: SummaryDueDto;
  @ApiProperty({ type: SummaryDueDto, description: 'Open tasks due from today to 29 days after.' }) dueIn30Days!: SummaryDueDto;
  @ApiProperty({ type: SummaryRejectedDto }) rejected!: SummaryRejectedDto;
  @ApiProperty({ type: [SummaryWeekDto], description: 'The last 12 weeks, oldest first, the current one last.' }) weeks!: SummaryWeekDto[];
}

export class ReviewQueueItemDto implements ReviewQueueItemView {
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty() tenantName!: string;
  @ApiProperty({ format: 'uuid' }) taskId!: string;
  @ApiProperty() activityKey!: string;
  @ApiProperty() title!: string;
  @ApiProperty() section!: string;
  @ApiProperty({ enum: PHASES }) phase!: ReviewQueueItemView['phase'];
  @ApiProperty({ nullable: true, type: String, format: 'date' }) dueDate!: string | null;
  @ApiProperty({ format: 'date-time', description: 'When it was completed: waiting since.' }) completedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) completedBy!: string | null;
  @ApiProperty() evidenceCount!: number;
}

export class ReviewQueuePageDto {
  @ApiProperty({ type: [ReviewQueueItemDto] }) items!: ReviewQueueItemDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
