import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors';
import { CATALOG_ERRORS } from '../../../libs/catalog';
import {
  ReviewQueuePageDto,
  SubscribeResultDto,
  SubscriptionDto,
  SubscriptionEndedDto,
  SubscriptionPageDto,
  TaskDetailDto,
  TaskDto,
  TaskEventDto,
  TaskPageDto,
  TaskReviewedDto,
  ProviderCommitmentPageDto,
  TaskSummaryDto,
  UpgradeResultDto,
} from '../openapi/views.dto';
import { AuditService, type AuditEventView } from '../../../libs/audit';
import { CORE_ERRORS, NothingToChangeError, type TenantContext, type UserContext } from '../../../libs/core';
import { TenantDb } from '../../../libs/db';
import { EvidenceService, type EvidenceView } from '../../../libs/evidence';
import {
  CatalogUpgradeService,
  SubscriptionsService,
  TASKS_ERRORS,
  TasksService,
  type ProviderCommitmentView,
  type ReviewQueueItemView,
  type ReviewView,
  type SubscriptionView,
  type TaskDetail,
  type TaskEventView,
  type TaskSummaryView,
  type TaskView,
  type UpgradeResult,
} from '../../../libs/tasks';
import { CurrentUser, Tenant } from '../auth/request-context';
import { PageQuery } from '../auth/auth.dto';
import { ANY_ROLE, Roles } from '../auth/roles.decorator';
import {
  ChangePhaseDto,
  CompleteDto,
  LogEventDto,
  ReviewDto,
  SubscribeDto,
  SubscriptionParams,
  TaskListQuery,
  TaskParams,
  UpdateTaskDto,
  UpgradeQuery,
} from './tasks.dto';

@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller('tenants/:tenantId/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly upgrades: CatalogUpgradeService,
  ) {}

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary: 'Subscribe to a catalog',
    description: "Admins only. Creates the tenant's tasks from the catalog's customer duties, from the start date on.",
  })
  @ApiCreatedResponse({ type: SubscribeResultDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CATALOG_ERRORS.CATALOG_NOT_FOUND, TASKS_ERRORS.SUBSCRIPTION_EXISTS)
  subscribe(@Tenant() ctx: TenantContext, @Body() body: SubscribeDto): Promise<SubscriptionView & { tasksCreated: number }> {
    return this.subscriptions.subscribe(ctx, body);
  }

  @Get()
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: 'List the subscriptions', description: 'Any member.' })
  @ApiOkResponse({ type: SubscriptionPageDto })
  @ApiErrors()
  async list(@Tenant() ctx: TenantContext): Promise<{ items: SubscriptionView[]; nextCursor: null }> {
    return { items: await this.subscriptions.list(ctx), nextCursor: null };
  }

  @Get(':id')
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: 'Get a subscription', description: 'Any member.' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiErrors(TASKS_ERRORS.SUBSCRIPTION_NOT_FOUND)
  get(@Tenant() ctx: TenantContext, @Param() params: SubscriptionParams): Promise<SubscriptionView> {
    return this.subscriptions.get(ctx, params.id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Move a subscription to a later phase',
    description: 'Admins only. Phases only move forward; the duties of the new phase get their due dates.',
  })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    TASKS_ERRORS.SUBSCRIPTION_NOT_FOUND,
    TASKS_ERRORS.PHASE_BACKWARDS,
    TASKS_ERRORS.SUBSCRIPTION_ENDED,
  )
  changePhase(@Tenant() ctx: TenantContext, @Param() params: SubscriptionParams, @Body() body: ChangePhaseDto): Promise<SubscriptionView> {
    return this.subscriptions.changePhase(ctx, params.id, body.phase);
  }

  /** POST rather than DELETE: the subscription stays, readable, with its withdrawn tasks. */
  @Post(':id/end')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'End a subscription: its open tasks become withdrawn, no period opens any more (admins; idempotent)' })
  @ApiOkResponse({ type: SubscriptionEndedDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, TASKS_ERRORS.SUBSCRIPTION_NOT_FOUND)
  end(@Tenant() ctx: TenantContext, @Param() params: SubscriptionParams): Promise<SubscriptionView & { tasksWithdrawn: number }> {
    return this.subscriptions.end(ctx, params.id);
  }

  /** What moving to `toVersion` would do: duties added, withdrawn, changed (nothing is written). */
  @Get(':id/upgrade')
  @Roles('admin')
  @ApiOperation({
    summary: 'Preview a catalog upgrade',
    description: 'Admins only. What moving to `toVersion` would do: duties added, withdrawn, changed. Nothing is written.',
  })
  @ApiOkResponse({ type: UpgradeResultDto })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    TASKS_ERRORS.SUBSCRIPTION_NOT_FOUND,
    TASKS_ERRORS.UPGRADE_VERSION_NOT_FOUND,
    TASKS_ERRORS.UPGRADE_NOT_NEWER,
    TASKS_ERRORS.SUBSCRIPTION_ENDED,
  )
  previewUpgrade(@Tenant() ctx: TenantContext, @Param() params: SubscriptionParams, @Query() q: UpgradeQuery): Promise<UpgradeResult> {
    return this.upgrades.preview(ctx, params.id, q.toVersion);
  }

  /** Moves the subscription to `toVersion`, in one transaction; again on the same version changes nothing. */
  @Post(':id/upgrade')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Upgrade a subscription to a newer catalog version',
    description: 'Admins only. One transaction; applying the same version again changes nothing.',
  })
  @ApiOkResponse({ type: UpgradeResultDto })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    TASKS_ERRORS.SUBSCRIPTION_NOT_FOUND,
    TASKS_ERRORS.UPGRADE_VERSION_NOT_FOUND,
    TASKS_ERRORS.UPGRADE_NOT_NEWER,
    TASKS_ERRORS.SUBSCRIPTION_ENDED,
  )
  upgrade(@Tenant() ctx: TenantContext, @Param() params: SubscriptionParams, @Query() q: UpgradeQuery): Promise<UpgradeResult> {
    return this.upgrades.apply(ctx, params.id, q.toVersion);
  }

  @Get(':id/provider-commitments')
  @Roles(...ANY_ROLE)
  @ApiOperation({
    summary: "List the provider's commitments",
    description: 'Any member. The duties the provider holds under this subscription.',
  })
  @ApiOkResponse({ type: ProviderCommitmentPageDto })
  @ApiErrors(TASKS_ERRORS.SUBSCRIPTION_NOT_FOUND)
  async providerCommitments(
    @Tenant() ctx: TenantContext,
    @Param() params: SubscriptionParams,
  ): Promise<{ items: ProviderCommitmentView[]; nextCursor: null }> {
    return { items: await this.subscriptions.providerCommitments(ctx, params.id), nextCursor: null };
  }
}

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tenants/:tenantId/tasks')
export class TasksController {
  constructor(
    private readonly db: TenantDb,
    private readonly tasks: TasksService,
    private readonly evidence: EvidenceService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: 'List tasks', description: 'Any member. Filtered, paged by `cursor`.' })
  @ApiOkResponse({ type: TaskPageDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.INVALID_CURSOR)
  list(@Tenant() ctx: TenantContext, @Query() q: TaskListQuery): Promise<{ items: TaskView[]; nextCursor: string | null }> {
    return this.tasks.list(ctx, {
      limit: q.limit ?? 50,
      ...(q.status ? { status: q.status } : {}),
      ...(q.phase ? { phase: q.phase } : {}),
      ...(q.section ? { section: q.section } : {}),
      ...(q.assigneeId ? { assigneeId: q.assigneeId === 'none' ? null : q.assigneeId } : {}),
      ...(q.overdue !== undefined ? { overdue: q.overdue } : {}),
      ...(q.dueBefore ? { dueBefore: q.dueBefore } : {}),
      ...(q.q ? { q: q.q } : {}),
      ...(q.subscriptionId ? { subscriptionId: q.subscriptionId } : {}),
      ...(q.catalogKey ? { catalogKey: q.catalogKey } : {}),
      ...(q.provider ? { provider: q.provider } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
  }

  @Get(':taskId')
  @Roles(...ANY_ROLE)
  @ApiOperation({
    summary: 'Get a task',
    description: 'Any member. With its activity, reviews, occurrences, evidence and audit history, read in one transaction.',
  })
  @ApiOkResponse({ type: TaskDetailDto })
  @ApiErrors(TASKS_ERRORS.TASK_NOT_FOUND)
  async get(
    @Tenant() ctx: TenantContext,
    @Param() params: TaskParams,
  ): Promise<TaskDetail & { evidence: EvidenceView[]; history: AuditEventView[] }> {
    // One unit of work: task, evidence, reviews and history are read in one transaction, so they
    // agree (no evidence counted on the task but missing from the list). The task first: it
    // answers TASK_NOT_FOUND before anything else is read.
    return this.db.run(ctx, async () => {
      const task = await this.tasks.get(ctx, params.taskId);
      const evidence = await this.evidence.listForTask(ctx, task.id);
      const history = await this.audit.taskHistory(ctx, task.id);
      return { ...task, evidence, history };
    });
  }

  @Patch(':taskId')
  @Roles('admin', 'member')
  @ApiOperation({
    summary: 'Update a task',
    description:
      'Admins and members: assignee, due date, status (start, stop, mark not applicable with a reason, reinstate). ' +
      'Only admins mark a duty not applicable.',
  })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    CORE_ERRORS.NOTHING_TO_CHANGE,
    TASKS_ERRORS.REASON_REQUIRED,
    TASKS_ERRORS.TASK_NOT_FOUND,
    TASKS_ERRORS.INVALID_TRANSITION,
    TASKS_ERRORS.DUTY_NOT_OPTIONAL,
    TASKS_ERRORS.ASSIGNEE_NOT_MEMBER,
  )
  update(@Tenant() ctx: TenantContext, @Param() params: TaskParams, @Body() body: UpdateTaskDto): Promise<TaskView> {
    if (body.assigneeId === undefined && body.dueDate === undefined && body.status === undefined)
      throw new NothingToChangeError(['assigneeId', 'dueDate', 'status']);
    return this.tasks.update(ctx, params.taskId, {
      ...(body.assigneeId !== undefined ? { assigneeId: body.assigneeId } : {}),
      ...(body.dueDate !== undefined ? { dueDate: body.dueDate } : {}),
      ...(body.status !== undefined ? { status: body.status } : {}),
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
    });
  }

  @Post(':taskId/complete')
  @HttpCode(200)
  @Roles('admin', 'member')
  @ApiOperation({
    summary: 'Complete a task',
    description: 'Admins and members. Needs evidence (new evidence after a rejection); the task then awaits review.',
  })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, TASKS_ERRORS.TASK_NOT_FOUND, TASKS_ERRORS.INVALID_TRANSITION, TASKS_ERRORS.EVIDENCE_REQUIRED)
  complete(@Tenant() ctx: TenantContext, @Param() params: TaskParams, @Body() body: CompleteDto): Promise<TaskView> {
    return this.tasks.complete(ctx, params.taskId, body.comment);
  }

  @Post(':taskId/reviews')
  @Roles('admin', 'auditor')
  @ApiOperation({
    summary: 'Review a completed task',
    description: 'Admins and auditors approve or reject (with a comment) a done task; nobody reviews a task they completed.',
  })
  @ApiCreatedResponse({ type: TaskReviewedDto })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    TASKS_ERRORS.REASON_REQUIRED,
    TASKS_ERRORS.SELF_REVIEW,
    TASKS_ERRORS.TASK_NOT_FOUND,
    TASKS_ERRORS.INVALID_TRANSITION,
  )
  review(@Tenant() ctx: TenantContext, @Param() params: TaskParams, @Body() body: ReviewDto): Promise<TaskView & { review: ReviewView }> {
    return this.tasks.review(ctx, params.taskId, body.decision, body.comment);
  }

  @Post(':taskId/occurrences')
  @Roles('admin', 'member')
  @ApiOperation({ summary: 'Log an occurrence', description: 'Admins and members, on an event-driven duty (an incident notified, ...).' })
  @ApiCreatedResponse({ type: TaskEventDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, TASKS_ERRORS.TASK_NOT_FOUND, TASKS_ERRORS.NOT_EVENT_DRIVEN)
  logEvent(@Tenant() ctx: TenantContext, @Param() params: TaskParams, @Body() body: LogEventDto): Promise<TaskEventView> {
    return this.tasks.logEvent(ctx, params.taskId, body.occurredOn, body.description);
  }
}

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tenants/:tenantId/summary')
export class SummaryController {
  constructor(private readonly tasks: TasksService) {}

  /** The dashboard: one statement whose cost follows the tenant's tasks (docs/tasks.md, "Summary"). */
  @Get()
  @Roles(...ANY_ROLE)
  @ApiOperation({
    summary: "A tenant's progress: by phase and section, due in 7 and 30 days, rejected, and a 12-week trend",
  })
  @ApiOkResponse({ type: TaskSummaryDto })
  @ApiErrors()
  summary(@Tenant() ctx: TenantContext): Promise<TaskSummaryView> {
    return this.tasks.summary(ctx);
  }
}

@ApiTags('me')
@ApiBearerAuth()
@Controller('me/review-queue')
export class ReviewQueueController {
  constructor(private readonly tasks: TasksService) {}

  /** Across tenants, only those where the caller is an active auditor or admin (docs/tasks.md, "Review queue"). */
  @Get()
  @ApiOperation({ summary: "Tasks waiting for the caller's review in every tenant where the caller reviews, longest waiting first" })
  @ApiOkResponse({ type: ReviewQueuePageDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.INVALID_CURSOR)
  reviewQueue(
    @CurrentUser() user: UserContext,
    @Query() q: PageQuery,
  ): Promise<{ items: ReviewQueueItemView[]; nextCursor: string | null }> {
    return this.tasks.reviewQueue(user, { limit: q.limit ?? 50, ...(q.cursor ? { cursor: q.cursor } : {}) });
  }
}
