import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { COOKIE_MODE, deliverTokens, RawRequest } from '../auth/auth.controller';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import {
  AcceptResultDto,
  InvitationDto,
  MeDto,
  MemberDto,
  MemberPageDto,
  MembershipPageDto,
  OpenInvitationPageDto,
  TenantDto,
} from '../openapi/views.dto';
import {
  APP_CONFIG,
  ForbiddenRoleError,
  type AppConfig,
  NothingToChangeError,
  Public,
  type RequestContext,
  type TenantContext,
  type UserContext,
} from '../../../libs/core';
import {
  InvitationsService,
  MembersService,
  TenantsService,
  type AcceptResult,
  type InvitationView,
  type MemberView,
  type MembershipView,
  type OpenInvitationView,
  type Page,
  TENANT_DATA_PURGES,
  type TenantDataPurge,
  type TenantView,
  type TokenPair,
  type UserView,
} from '../../../libs/tenancy';
import {
  AcceptInvitationDto,
  CreateTenantDto,
  DeleteTenantDto,
  InvitationIdParam,
  InviteDto,
  PageQuery,
  RenameTenantDto,
  UpdateMemberDto,
  UserIdParam,
} from '../auth/auth.dto';
import { CurrentUser, Req, Tenant } from '../auth/request-context';
import { ANY_ROLE, Roles } from '../auth/roles.decorator';

const pageOf = (q: PageQuery): { limit: number; cursor?: string } => ({ limit: q.limit ?? 50, ...(q.cursor ? { cursor: q.cursor } : {}) });

@ApiTags('me')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @ApiOkResponse({ type: MeDto })
  me(@CurrentUser() user: UserContext): Promise<{ user: UserView; memberships: MembershipView[] }> {
    return this.tenants.me(user);
  }
}

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('tenants')
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly members: MembersService,
    private readonly invitations: InvitationsService,
    @Inject(TENANT_DATA_PURGES) private readonly purges: TenantDataPurge[],
  ) {}

  @Post()
  @ApiCreatedResponse({ type: TenantDto })
  create(@CurrentUser() user: UserContext, @Body() body: CreateTenantDto): Promise<TenantView> {
    return this.tenants.create(user, body.name);
  }

  @Get()
  @ApiOkResponse({ type: MembershipPageDto })
  async list(@CurrentUser() user: UserContext): Promise<Page<MembershipView>> {
    return { items: await this.tenants.listMine(user), nextCursor: null };
  }

  @Get(':tenantId')
  @Roles(...ANY_ROLE)
  @ApiOkResponse({ type: TenantDto })
  get(@Tenant() ctx: TenantContext): Promise<TenantView> {
    return this.tenants.get(ctx);
  }

  @Patch(':tenantId')
  @Roles('admin')
  @ApiOperation({ summary: 'Rename the tenant (admins)' })
  @ApiOkResponse({ type: TenantDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiForbiddenResponse({ description: 'FORBIDDEN: not an admin' })
  @ApiNotFoundResponse({ description: 'TENANT_NOT_FOUND' })
  rename(@Tenant() ctx: TenantContext, @Body() body: RenameTenantDto): Promise<TenantView> {
    return this.tenants.rename(ctx, body.name);
  }

  @Delete(':tenantId')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete the tenant: members, tasks, evidence and its files go; the audit trail is kept for AUDIT_RETENTION_DAYS (admins)',
  })
  @ApiNoContentResponse({ description: 'Deleted; the evidence files are removed by the worker right after.' })
  @ApiBadRequestResponse({ description: 'TENANT_CONFIRMATION_MISMATCH, VALIDATION_FAILED' })
  @ApiForbiddenResponse({ description: 'FORBIDDEN: not an admin' })
  @ApiNotFoundResponse({ description: 'TENANT_NOT_FOUND' })
  async deleteTenant(@Tenant() ctx: TenantContext, @Body() body: DeleteTenantDto): Promise<void> {
    await this.tenants.delete(ctx, body.confirmName, this.purges);
  }

  @Get(':tenantId/members')
  @Roles(...ANY_ROLE)
  @ApiOkResponse({ type: MemberPageDto })
  listMembers(@Tenant() ctx: TenantContext, @Query() query: PageQuery): Promise<Page<MemberView>> {
    return this.members.list(ctx, pageOf(query));
  }

  @Patch(':tenantId/members/:userId')
  @Roles('admin')
  @ApiOkResponse({ type: MemberDto })
  updateMember(@Tenant() ctx: TenantContext, @Param() params: UserIdParam, @Body() body: UpdateMemberDto): Promise<MemberView> {
    if (body.role === undefined && body.expiresAt === undefined) throw new NothingToChangeError(['role', 'expiresAt']);
    return this.members.update(ctx, params.userId, {
      ...(body.role !== undefined ? { role: body.role } : {}),
      ...(body.expiresAt !== undefined ? { expiresAt: body.expiresAt } : {}),
    });
  }

  /** Admins remove anyone; any member may leave (remove themselves). */
  @Delete(':tenantId/members/:userId')
  @Roles(...ANY_ROLE)
  @HttpCode(204)
  async removeMember(@Tenant() ctx: TenantContext, @Param() params: UserIdParam): Promise<void> {
    if (ctx.role !== 'admin' && params.userId !== ctx.userId) throw new ForbiddenRoleError(ctx.role, ['admin']);
    await this.members.remove(ctx, params.userId);
  }

  @Post(':tenantId/invitations')
  @Roles('admin')
  @ApiCreatedResponse({ type: InvitationDto })
  invite(@Tenant() ctx: TenantContext, @Body() body: InviteDto): Promise<InvitationView> {
    return this.invitations.invite(ctx, { email: body.email, role: body.role, ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}) });
  }

  @Get(':tenantId/invitations')
  @Roles('admin')
  @ApiOperation({ summary: 'List the open invitations (pending and expired) of the tenant (admins)' })
  @ApiOkResponse({ type: OpenInvitationPageDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_CURSOR' })
  @ApiForbiddenResponse({ description: 'FORBIDDEN: not an admin' })
  @ApiNotFoundResponse({ description: 'TENANT_NOT_FOUND' })
  listInvitations(@Tenant() ctx: TenantContext, @Query() query: PageQuery): Promise<Page<OpenInvitationView>> {
    return this.invitations.list(ctx, pageOf(query));
  }

  @Post(':tenantId/invitations/:invitationId/resend')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mail a new link for an open invitation; the old link stops working (admins)' })
  @ApiOkResponse({ type: InvitationDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiForbiddenResponse({ description: 'FORBIDDEN: not an admin' })
  @ApiNotFoundResponse({ description: 'TENANT_NOT_FOUND, INVITATION_NOT_FOUND' })
  @ApiConflictResponse({ description: 'ALREADY_MEMBER' })
  @ApiTooManyRequestsResponse({ description: 'RATE_LIMITED' })
  resendInvitation(@Tenant() ctx: TenantContext, @Param() params: InvitationIdParam): Promise<InvitationView> {
    return this.invitations.resend(ctx, params.invitationId);
  }

  @Delete(':tenantId/invitations/:invitationId')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an open invitation; its link then answers INVITATION_REVOKED (admins)' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiForbiddenResponse({ description: 'FORBIDDEN: not an admin' })
  @ApiNotFoundResponse({ description: 'TENANT_NOT_FOUND, INVITATION_NOT_FOUND' })
  async revokeInvitation(@Tenant() ctx: TenantContext, @Param() params: InvitationIdParam): Promise<void> {
    await this.invitations.revoke(ctx, params.invitationId);
  }
}

@ApiTags('tenants')
@Public()
@Controller('invitations')
export class InvitationsController {
  constructor(
    private readonly invitations: InvitationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('accept')
  @COOKIE_MODE
  @HttpCode(200)
  @ApiOkResponse({ type: AcceptResultDto })
  async accept(
    @Req() req: RequestContext,
    @Body() body: AcceptInvitationDto,
    @RawRequest() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AcceptResult> {
    const result = await this.invitations.accept(req, body);
    // A new account is signed in at once; in the console's cookie flow its refresh token goes into the cookie.
    return result.tokens ? { ...result, tokens: deliverTokens(request, reply, this.config, result.tokens) as TokenPair } : result;
  }
}
