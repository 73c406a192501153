import { Body, Controller, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, CORE_ERRORS, Public, type AppConfig, type RequestContext } from '../../../libs/core';
import { AccountService, AuthService, TENANCY_ERRORS, type TokenPair, type UserView } from '../../../libs/tenancy';
import { HTTP_ERRORS } from '../http/http.errors';
import { ApiErrors } from '../openapi/api-errors';
import { LoginDto, LogoutDto, PasswordResetConfirmDto, PasswordResetRequestDto, RefreshDto, SignupDto } from './auth.dto';
import { LocalAuthGuard } from './local-auth.guard';
import { Req } from './request-context';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthedRequest } from './request-context';
import { LoginResultDto, PasswordResetRequestedDto, SignupResultDto, TokenPairDto } from '../openapi/views.dto';
import { clearRefreshCookie, COOKIE_MODE_HEADER, readRefreshCookie, refreshTokenOf, setRefreshCookie, wantsCookie } from './refresh-cookie';

const LoggedInUser = createParamDecorator((_d: unknown, ctx: ExecutionContext): UserView => {
  const user = ctx.switchToHttp().getRequest<AuthedRequest & { user?: UserView }>().user as UserView | undefined;
  if (!user) throw new Error('LocalAuthGuard did not set a user');
  return user;
});

export const RawRequest = createParamDecorator((_d: unknown, ctx: ExecutionContext): FastifyRequest =>
  ctx.switchToHttp().getRequest<FastifyRequest>(),
);

export const COOKIE_MODE = ApiHeader({
  name: COOKIE_MODE_HEADER,
  required: false,
  description:
    '`1`: the browser flow. The refresh token is set as an HttpOnly, SameSite=Strict cookie scoped to /auth/refresh and /auth/logout and left out of the body.',
  schema: { type: 'string', enum: ['1'] },
});

/**
 * In the cookie flow the refresh token goes into the cookie and out of the body, so no script of
 * the page ever holds it; the JSON flow (API clients) is unchanged.
 */
export function deliverTokens<T extends { refreshToken: string }>(
  request: FastifyRequest,
  reply: FastifyReply,
  config: AppConfig,
  result: T,
): T | Omit<T, 'refreshToken'> {
  if (!wantsCookie(request)) return result;
  setRefreshCookie(reply, result.refreshToken, config);
  const { refreshToken: _kept, ...rest } = result;
  return rest;
}

/** The one answer to every accepted reset request: it must not tell whether the address has an account. */
export const PASSWORD_RESET_REQUESTED =
  'If an account uses this address, a link to choose a new password is on its way. It works once, for one hour.';

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly account: AccountService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('signup')
  @COOKIE_MODE
  @ApiOperation({
    summary: 'Sign up',
    description:
      'Creates an account and its first tenant (the caller is its admin) and signs in. Closed when the server turns sign-up off.',
  })
  @ApiCreatedResponse({ type: SignupResultDto, description: 'The account, its tenant and a token pair.' })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    TENANCY_ERRORS.WEAK_PASSWORD,
    TENANCY_ERRORS.EMAIL_ADDRESS_UNSUPPORTED,
    TENANCY_ERRORS.SIGNUP_CLOSED,
    TENANCY_ERRORS.EMAIL_TAKEN,
    TENANCY_ERRORS.RATE_LIMITED,
  )
  async signup(
    @Req() req: RequestContext,
    @Body() body: SignupDto,
    @RawRequest() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SignupResultDto | Omit<SignupResultDto, 'refreshToken'>> {
    return deliverTokens(request, reply, this.config, await this.auth.signup(req, body));
  }

  @Post('login')
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  @COOKIE_MODE
  @ApiBody({ type: LoginDto })
  @ApiOperation({ summary: 'Sign in', description: 'Exchanges an email and password for a token pair. Failed attempts are rate-limited.' })
  @ApiOkResponse({ type: LoginResultDto, description: 'A token pair and the user.' })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, TENANCY_ERRORS.INVALID_CREDENTIALS, TENANCY_ERRORS.RATE_LIMITED)
  async login(
    @LoggedInUser() user: UserView,
    @RawRequest() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<(TokenPair & { user: UserView }) | Omit<TokenPair & { user: UserView }, 'refreshToken'>> {
    return deliverTokens(request, reply, this.config, await this.auth.login(user));
  }

  @Post('refresh')
  @HttpCode(200)
  @COOKIE_MODE
  @ApiOperation({
    summary: 'Refresh the session',
    description:
      'Spends a refresh token for a new pair. Reusing a spent one revokes the whole session family. ' +
      'Without refreshToken in the body, the session cookie is used, and only from a page of this server (its Origin).',
  })
  @ApiOkResponse({ type: TokenPairDto, description: 'A new pair; the token sent is spent.' })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    HTTP_ERRORS.REFRESH_TOKEN_MISSING,
    TENANCY_ERRORS.REFRESH_TOKEN_INVALID,
    TENANCY_ERRORS.REFRESH_TOKEN_REUSED,
    HTTP_ERRORS.ORIGIN_NOT_ALLOWED,
    TENANCY_ERRORS.RATE_LIMITED,
  )
  async refresh(
    @Req() req: RequestContext,
    @Body() body: RefreshDto,
    @RawRequest() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPair | Omit<TokenPair, 'refreshToken'>> {
    const token = refreshTokenOf(request, body.refreshToken, this.config);
    return deliverTokens(request, reply, this.config, await this.auth.refresh(req, token));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sign out',
    description: 'Revokes the session (the refresh token family) and clears the session cookie. Idempotent.',
  })
  @ApiNoContentResponse({ description: 'Signed out.' })
  @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, HTTP_ERRORS.ORIGIN_NOT_ALLOWED)
  async logout(
    @Body() body: LogoutDto,
    @RawRequest() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    clearRefreshCookie(reply, this.config);
    // Signing out of a browser whose cookie is already gone has nothing left to revoke.
    if (!body.refreshToken && !readRefreshCookie(request)) return;
    await this.auth.logout(refreshTokenOf(request, body.refreshToken, this.config));
  }

  @Post('password-reset')
  @HttpCode(202)
  @ApiOperation({ summary: 'Ask for a password reset link by mail (the same answer whether an account uses the address or not)' })
  @ApiAcceptedResponse({
    type: PasswordResetRequestedDto,
    description: 'Always the same body, whether the address has an account or not; the mail (if any) is sent by the worker.',
  })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    TENANCY_ERRORS.EMAIL_ADDRESS_UNSUPPORTED,
    HTTP_ERRORS.INVALID_CHARACTER,
    TENANCY_ERRORS.RATE_LIMITED,
  )
  async requestPasswordReset(@Req() req: RequestContext, @Body() body: PasswordResetRequestDto): Promise<PasswordResetRequestedDto> {
    await this.account.requestPasswordReset(req, body.email);
    return { message: PASSWORD_RESET_REQUESTED };
  }

  @Post('password-reset/confirm')
  @HttpCode(204)
  @ApiOperation({ summary: 'Choose a new password with the token of a reset link; ends every session of the account' })
  @ApiNoContentResponse({ description: 'Password set; every session (refresh token) of the account is revoked: sign in again.' })
  @ApiErrors(
    CORE_ERRORS.VALIDATION_FAILED,
    HTTP_ERRORS.INVALID_CHARACTER,
    TENANCY_ERRORS.PASSWORD_RESET_TOKEN_INVALID,
    TENANCY_ERRORS.WEAK_PASSWORD,
    TENANCY_ERRORS.PASSWORD_RESET_TOKEN_EXPIRED,
    TENANCY_ERRORS.RATE_LIMITED,
  )
  async confirmPasswordReset(@Req() req: RequestContext, @Body() body: PasswordResetConfirmDto): Promise<void> {
    await this.account.confirmPasswordReset(req, body.token, body.password);
  }
}
