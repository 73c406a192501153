import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { COOKIE_MODE, deliverTokens, RawRequest } from '../auth/auth.controller';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  AcceptResultDto,
  InvitationDto,
  MeDto,
  MemberDto,
  MemberPageDto,
  MembershipPageDto,
  TenantDto,
  UserDto,
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
  AccountService,
  InvitationsService,
  MembersService,
  TenantsService,
  type AcceptResult,
  type InvitationView,
  type MemberView,
  type MembershipView,
  type Page,
  type TenantView,
  type TokenPair,
  type SessionUser,
  type UserView,
} from '../../../libs/tenancy';
import { AcceptInvitationDto, CreateTenantDto, InviteDto, PageQuery, UpdateMeDto, UpdateMemberDto, UserIdParam } from '../auth/auth.dto';
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
  @ApiOperation({ summary: 'The signed-in account and its memberships' })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentUser() user: UserContext): Promise<{ user: UserView; memberships: MembershipView[] }> {
    return this.tenants.me(user);
  }

  @Patch()
  @ApiOperation({ summary: 'Change one’s own name and/or password (the password with the current one; ends every other session)' })
  @ApiOkResponse({ type: UserDto })
  @ApiResponse({
    status: 400,
    description: 'NOTHING_TO_CHANGE, CURRENT_PASSWORD_REQUIRED, WEAK_PASSWORD, VALIDATION_FAILED, INVALID_CHARACTER',
  })
  @ApiResponse({ status: 403, description: 'CURRENT_PASSWORD_INVALID (counted like a failed login)' })
  @ApiResponse({ status: 429, description: 'RATE_LIMITED: too many wrong passwords, with Retry-After' })
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
