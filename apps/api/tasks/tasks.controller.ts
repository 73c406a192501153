import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ReviewQueuePageDto,
  SubscribeResultDto,
  SubscriptionDto,
  SubscriptionPageDto,
  TaskDetailDto,
  TaskDto,
  TaskEventDto,
  TaskPageDto,
  TaskReviewedDto,
  TaskSummaryDto,
} from '../openapi/views.dto';
import { AuditService, type AuditEventView } from '../../../libs/audit';
import { NothingToChangeError, type TenantContext, type UserContext } from '../../../libs/core';
import { TenantDb } from '../../../libs/db';
import { EvidenceService, type EvidenceView } from '../../../libs/evidence';
import {
  CatalogUpgradeService,
  SubscriptionsService,
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
  @ApiCreatedResponse({ type: SubscribeResultDto })
  subscribe(@Tenant() ctx: TenantContext, @Body() body: SubscribeDto): Promise<SubscriptionView & { tasksCreated: number }> {
    return this.subscriptions.subscribe(ctx, body);
  }

  @Get()
  @Roles(...ANY_ROLE)
  @ApiOkResponse({ type: SubscriptionPageDto })
  async list(@Tenant() ctx: TenantContext): Promise<{ items: SubscriptionView[]; nextCursor: null }> {
    return { items: await this.subscriptions.list(ctx), nextCursor: null };
  }

  @Get(':id')
  @Roles(...ANY_ROLE)
  @ApiOkResponse({ type: SubscriptionDto })
  get(@Tenant() ctx: TenantContext, @Param() params: SubscriptionParams): Promise<SubscriptionView> {
    return this.subscriptions.get(ctx, params.id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: SubscriptionDto })
  changePhase(@Tenant() ctx: TenantContext, @Param() params: SubscriptionParams, @Body() body: ChangePhaseDto): Promise<SubscriptionView> {
    return this.subscriptions.changePhase(ctx, params.id, body.phase);
  }

  /** What moving to `toVersion` would do: duties added, withdrawn, changed (nothing is written). */
  @Get(':id/upgrade')
  @Roles('admin')
  previewUpgrade(@Tenant() ctx: TenantContext, @Param() params: SubscriptionParams, @Query() q: UpgradeQuery): Promise<UpgradeResult> {
    return this.upgrades.preview(ctx, params.id, q.toVersion);
  }

  /** Moves the subscription to `toVersion`, in one transaction; again on the same version changes nothing. */
  @Post(':id/upgrade')
  @HttpCode(200)
  @Roles('admin')
  upgrade(@Tenant() ctx: TenantContext, @Param() params: SubscriptionParams, @Query() q: UpgradeQuery): Promise<UpgradeResult> {
    return this.upgrades.apply(ctx, params.id, q.toVersion);
  }

  @Get(':id/provider-commitments')
  @Roles(...ANY_ROLE)
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
  @ApiOkResponse({ type: TaskPageDto })
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
  @ApiOkResponse({ type: TaskDetailDto })
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
  @ApiOkResponse({ type: TaskDto })
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
  @ApiOkResponse({ type: TaskDto })
  complete(@Tenant() ctx: TenantContext, @Param() params: TaskParams, @Body() body: CompleteDto): Promise<TaskView> {
    return this.tasks.complete(ctx, params.taskId, body.comment);
  }

  @Post(':taskId/reviews')
  @Roles('admin', 'auditor')
  @ApiCreatedResponse({ type: TaskReviewedDto })
  review(@Tenant() ctx: TenantContext, @Param() params: TaskParams, @Body() body: ReviewDto): Promise<TaskView & { review: ReviewView }> {
    return this.tasks.review(ctx, params.taskId, body.decision, body.comment);
  }

  @Post(':taskId/occurrences')
  @Roles('admin', 'member')
  @ApiCreatedResponse({ type: TaskEventDto })
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
  @ApiNotFoundResponse({ description: 'TENANT_NOT_FOUND: no such tenant, or the caller is not a member.' })
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
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED (limit), INVALID_CURSOR.' })
  reviewQueue(
    @CurrentUser() user: UserContext,
    @Query() q: PageQuery,
  ): Promise<{ items: ReviewQueueItemView[]; nextCursor: string | null }> {
    return this.tasks.reviewQueue(user, { limit: q.limit ?? 50, ...(q.cursor ? { cursor: q.cursor } : {}) });
  }
}
