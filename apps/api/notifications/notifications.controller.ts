import { Body, Controller, Get, HttpCode, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CORE_ERRORS, Public, type TenantContext, type UserContext } from '../../../libs/core';
import { HTTP_ERRORS } from '../http/http.errors';
import { ApiErrors } from '../openapi/api-errors';
import { escapeHtml } from '../../../libs/notify';
import {
  NotificationsService,
  PreferencesService,
  REMINDERS_ERRORS,
  ReminderSettingsService,
  type NotificationKind,
  type NotificationPage,
  type NotificationPreferencesView,
  type ReminderSettingsView,
  type UnsubscribeResult,
} from '../../../libs/reminders';
import { CurrentUser, Tenant } from '../auth/request-context';
import { ANY_ROLE, Roles } from '../auth/roles.decorator';
import { NotificationPageDto, NotificationPreferencesDto, ReminderSettingsResponseDto, UnsubscribeResultDto } from '../openapi/views.dto';
import { NotificationsQuery, ReminderSettingsDto, UnsubscribeQuery, UpdatePreferencesDto } from './notifications.dto';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('me/notification-preferences')
export class NotificationPreferencesController {
  constructor(private readonly preferences: PreferencesService) {}

  @Get()
  @ApiOperation({ summary: 'Get my notification preferences', description: 'Which mails the caller gets, and their time zone.' })
  @ApiOkResponse({ type: NotificationPreferencesDto })
  @ApiErrors()
  get(@CurrentUser() user: UserContext): Promise<NotificationPreferencesView> {
    return this.preferences.get(user);
  }

  /** Fields left out keep their values; at least one is needed. */
  @Put()
  @ApiOperation({
    summary: 'Change my notification preferences',
    description: 'Fields left out keep their values; at least one is needed.',
  })
  @ApiOkResponse({ type: NotificationPreferencesDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.NOTHING_TO_CHANGE)
  update(@CurrentUser() user: UserContext, @Body() body: UpdatePreferencesDto): Promise<NotificationPreferencesView> {
    return this.preferences.update(user, body);
  }
}

const KIND_TEXT: Readonly<Record<NotificationKind, string>> = {
  due_soon: 'due-soon reminders',
  overdue: 'overdue reminders',
  escalation: 'escalations of overdue duties',
  digest: 'the weekly digest',
  review_rejected: 'notices of rejected reviews',
};

@ApiTags('notifications')
@Public()
@Controller('notifications/unsubscribe')
export class UnsubscribeController {
  constructor(private readonly preferences: PreferencesService) {}

  /** RFC 8058 one-click: the token in the URL says who and what; replaying it is harmless. */
  @Post()
  @HttpCode(200)
  @RouteConfig({ oneClickUnsubscribe: true, multipart: true })
  @ApiOperation({
    summary: 'Unsubscribe in one click',
    description: 'RFC 8058 one-click unsubscribe: the token in the URL says who and from what; replaying it is harmless.',
  })
  @ApiOkResponse({ type: UnsubscribeResultDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, REMINDERS_ERRORS.INVALID_UNSUBSCRIBE_TOKEN, HTTP_ERRORS.UNSUPPORTED_MEDIA_TYPE)
  unsubscribe(@Query() query: UnsubscribeQuery): Promise<UnsubscribeResult> {
    return this.preferences.unsubscribe(query.token);
  }

  /** The link opened in a browser: a confirmation page (a GET changes nothing; link scanners open them). */
  @Get()
  @ApiProduces('text/html')
  @ApiOperation({
    summary: 'Show the unsubscribe page',
    description: 'The link of a mail opened in a browser: a confirmation page. A GET changes nothing (link scanners open them).',
  })
  @ApiOkResponse({ description: 'A page with a button that POSTs the one-click unsubscribe.', schema: { type: 'string' } })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, REMINDERS_ERRORS.INVALID_UNSUBSCRIBE_TOKEN)
  page(@Query() query: UnsubscribeQuery, @Res({ passthrough: true }) reply: FastifyReply): string {
    const what = KIND_TEXT[this.preferences.peek(query.token)];
    void reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return [
      '<!DOCTYPE html>',
      '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Unsubscribe</title></head>',
      '<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;">',
      `<h1 style="font-size:1.3rem;">Stop ${escapeHtml(what)}?</h1>`,
      `<form method="post" action="?token=${escapeHtml(encodeURIComponent(query.token))}">`,
      '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
      `<button type="submit">Turn off ${escapeHtml(what)}</button>`,
      '</form>',
      '<p>You can turn them back on in your notification preferences.</p>',
      '</body></html>',
      '',
    ].join('\n');
  }
}

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('tenants/:tenantId')
export class TenantNotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly settings: ReminderSettingsService,
  ) {}

  /** The tenant's mail log: sent, pending, failed (with the reason), skipped. Newest first. */
  @Get('notifications')
  @Roles('admin')
  @ApiOperation({
    summary: "List the tenant's mail log",
    description: 'Admins only. Sent, pending, failed (with the reason), skipped; newest first.',
  })
  @ApiOkResponse({ type: NotificationPageDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.INVALID_CURSOR)
  list(@Tenant() ctx: TenantContext, @Query() q: NotificationsQuery): Promise<NotificationPage> {
    return this.notifications.list(ctx, {
      limit: q.limit ?? 50,
      ...(q.status ? { status: q.status } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
  }

  @Get('reminder-settings')
  @Roles(...ANY_ROLE)
  @ApiOperation({ summary: 'Get the reminder settings', description: 'Any member.' })
  @ApiOkResponse({ type: ReminderSettingsResponseDto })
  @ApiErrors()
  getSettings(@Tenant() ctx: TenantContext): Promise<ReminderSettingsView> {
    return this.settings.get(ctx);
  }

  @Patch('reminder-settings')
  @Roles('admin')
  @ApiOperation({
    summary: 'Change the reminder settings',
    description:
      "Admins only. When due-soon mails go out, when overdue duties escalate, and the tenant's time zone (given, it is set on every subscription of the tenant too).",
  })
  @ApiOkResponse({ type: ReminderSettingsResponseDto })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.NOTHING_TO_CHANGE)
  updateSettings(@Tenant() ctx: TenantContext, @Body() body: ReminderSettingsDto): Promise<ReminderSettingsView> {
    return this.settings.update(ctx, body);
  }
}
