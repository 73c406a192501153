import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { COOKIE_MODE, deliverTokens, RawRequest } from '../auth/auth.controller';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors';
import { HTTP_ERRORS } from '../http/http.errors';
import {
  AcceptResultDto,
  InvitationDto,
  MeDto,
  MemberDto,
  MemberPageDto,
  MembershipPageDto,
  OpenInvitationPageDto,
  TenantDto,
  UserDto,
} from '../openapi/views.dto';
import {
  APP_CONFIG,
  CORE_ERRORS,
  ForbiddenRoleError,
  type AppConfig,
  NothingToChangeError,
  Public,
  type RequestContext,
  type TenantContext,
  type UserContext,
} from '../../../libs/core';
import {
  AccountService,
  InvitationsService,
  MembersService,
  TENANCY_ERRORS,
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
  type SessionUser,
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
  UpdateMeDto,
  UpdateMemberDto,
  UserIdParam,
} from '../auth/auth.dto';
import { CurrentSession, CurrentUser, Req, Tenant } from '../auth/request-context';
import { ANY_ROLE, Roles } from '../auth/roles.decorator';

const pageOf = (q: PageQuery): { limit: number; cursor?: string } => ({ limit: q.limit ?? 50, ...(q.cursor ? { cursor: q.cursor } : {}) });

@ApiTags('me')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly account: AccountService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Get the signed-in user', description: 'The user and every tenant they are a member of, with their role.' })
  @ApiOkResponse({ type: MeDto })
  @ApiErrors()
  me(@CurrentUser() user: UserContext): Promise<{ user: UserView; memberships: MembershipView[] }> {
    return this.tenants.me(user);
  }

  @Patch()
  @ApiOperation({ summary: 'Change one’s own name and/or password (the password with the current one; ends every other session)' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    CORE_ERRORS.NOTHING_TO_CHANGE,
    HTTP_ERRORS.INVALID_CHARACTER,
    TENANCY_ERRORS.CURRENT_PASSWORD_REQUIRED,
    TENANCY_ERRORS.WEAK_PASSWORD,
    TENANCY_ERRORS.CURRENT_PASSWORD_INVALID,
    TENANCY_ERRORS.RATE_LIMITED,
  )
  updateMe(@CurrentSession() session: SessionUser, @Body() body: UpdateMeDto): Promise<UserView> {
    if (body.name === undefined && body.newPassword === undefined) throw new NothingToChangeError(['name', 'newPassword']);
    return this.account.updateProfile(session, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.currentPassword !== undefined ? { currentPassword: body.currentPassword } : {}),
      ...(body.newPassword !== undefined ? { newPassword: body.newPassword } : {}),
    });
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
  @ApiOperation({ summary: 'Create a tenant', description: 'The caller becomes its admin.' })
  @ApiCreatedResponse({ type: TenantDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED)
  create(@CurrentUser() user: UserContext, @Body() body: CreateTenantDto): Promise<TenantView> {
    return this.tenants.create(user, body.name);
  }

  @Get()
  @ApiOperation({
    summary: "List the caller's tenants",
    description: 'Every tenant the caller is a member of, with their role (one page).',
  })
  @ApiOkResponse({ type: MembershipPageDto })
  @ApiErrors()
  async list(@CurrentUser() user: UserContext): Promise<Page<MembershipView>> {
    return { items: await this.tenants.listMine(user), nextCursor: null };
  }

  @Get(':tenantId')
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: 'Get a tenant', description: 'Any member.' })
  @ApiOkResponse({ type: TenantDto })
  @ApiErrors()
  get(@Tenant() ctx: TenantContext): Promise<TenantView> {
    return this.tenants.get(ctx);
  }

  @Patch(':tenantId')
  @Roles('admin')
  @ApiOperation({ summary: 'Rename the tenant (admins)' })
  @ApiOkResponse({ type: TenantDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.NOTHING_TO_CHANGE)
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
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, TENANCY_ERRORS.TENANT_CONFIRMATION_MISMATCH)
  async deleteTenant(@Tenant() ctx: TenantContext, @Body() body: DeleteTenantDto): Promise<void> {
    await this.tenants.delete(ctx, body.confirmName, this.purges);
  }

  @Get(':tenantId/members')
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: 'List the members', description: 'Any member; paged by `cursor`.' })
  @ApiOkResponse({ type: MemberPageDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.INVALID_CURSOR)
  listMembers(@Tenant() ctx: TenantContext, @Query() query: PageQuery): Promise<Page<MemberView>> {
    return this.members.list(ctx, pageOf(query));
  }

  @Patch(':tenantId/members/:userId')
  @Roles('admin')
  @ApiOperation({
    summary: "Change a member's role or expiry",
    description: 'Admins only. The last admin of a tenant cannot lose the role.',
  })
  @ApiOkResponse({ type: MemberDto })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    CORE_ERRORS.NOTHING_TO_CHANGE,
    TENANCY_ERRORS.MEMBER_NOT_FOUND,
    TENANCY_ERRORS.LAST_ADMIN,
    TENANCY_ERRORS.EXPIRY_NOT_IN_FUTURE,
  )
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
  @ApiOperation({
    summary: 'Remove a member',
    description: 'Admins remove anyone; any other member may only remove themselves (leave). The last admin cannot leave.',
  })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiErrors(CORE_ERRORS.FORBIDDEN, TENANCY_ERRORS.MEMBER_NOT_FOUND, TENANCY_ERRORS.LAST_ADMIN)
  async removeMember(@Tenant() ctx: TenantContext, @Param() params: UserIdParam): Promise<void> {
    if (ctx.role !== 'admin' && params.userId !== ctx.userId) throw new ForbiddenRoleError(ctx.role, ['admin']);
    await this.members.remove(ctx, params.userId);
  }

  @Post(':tenantId/invitations')
  @Roles('admin')
  @ApiOperation({
    summary: 'Invite someone',
    description: 'Admins only. Mails a single-use link (sent by the worker after commit). Rate-limited per tenant, inviter and recipient.',
  })
  @ApiCreatedResponse({ type: InvitationDto })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    TENANCY_ERRORS.EMAIL_ADDRESS_UNSUPPORTED,
    TENANCY_ERRORS.ALREADY_MEMBER,
    TENANCY_ERRORS.RATE_LIMITED,
    TENANCY_ERRORS.EXPIRY_NOT_IN_FUTURE,
  )
  invite(@Tenant() ctx: TenantContext, @Body() body: InviteDto): Promise<InvitationView> {
    return this.invitations.invite(ctx, { email: body.email, role: body.role, ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}) });
  }

  @Get(':tenantId/invitations')
  @Roles('admin')
  @ApiOperation({ summary: 'List the open invitations (pending and expired) of the tenant (admins)' })
  @ApiOkResponse({ type: OpenInvitationPageDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.INVALID_CURSOR)
  listInvitations(@Tenant() ctx: TenantContext, @Query() query: PageQuery): Promise<Page<OpenInvitationView>> {
    return this.invitations.list(ctx, pageOf(query));
  }

  @Post(':tenantId/invitations/:invitationId/resend')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mail a new link for an open invitation; the old link stops working (admins)' })
  @ApiOkResponse({ type: InvitationDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, TENANCY_ERRORS.INVITATION_NOT_FOUND, TENANCY_ERRORS.ALREADY_MEMBER, TENANCY_ERRORS.RATE_LIMITED)
  resendInvitation(@Tenant() ctx: TenantContext, @Param() params: InvitationIdParam): Promise<InvitationView> {
    return this.invitations.resend(ctx, params.invitationId);
  }

  @Delete(':tenantId/invitations/:invitationId')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an open invitation; its link then answers INVITATION_REVOKED (admins)' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, TENANCY_ERRORS.INVITATION_NOT_FOUND)
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
  @ApiOperation({
    summary: 'Accept an invitation',
    description:
      'With the token of the mailed link. Someone without an account sends `name` and `password` too; the account is then created and signed in.',
  })
  @ApiOkResponse({ type: AcceptResultDto })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    TENANCY_ERRORS.ACCOUNT_DETAILS_REQUIRED,
    TENANCY_ERRORS.WEAK_PASSWORD,
    TENANCY_ERRORS.INVITATION_INVALID,
    TENANCY_ERRORS.INVITATION_REVOKED,
    TENANCY_ERRORS.RATE_LIMITED,
  )
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
