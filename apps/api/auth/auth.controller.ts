import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public, type RequestContext } from '../../../libs/core';
import { AuthService, type TokenPair, type UserView } from '../../../libs/tenancy';
import { LoginDto, RefreshDto, SignupDto } from './auth.dto';
import { LocalAuthGuard } from './local-auth.guard';
import { Req } from './request-context';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthedRequest } from './request-context';

const LoggedInUser = createParamDecorator((_d: unknown, ctx: ExecutionContext): UserView => {
  const user = ctx.switchToHttp().getRequest<AuthedRequest & { user?: UserView }>().user as UserView | undefined;
  if (!user) throw new Error('LocalAuthGuard did not set a user');
  return user;
});

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('signup')
  @ApiCreatedResponse({
    description: '{accessToken, refreshToken, tokenType, expiresIn, user, tenant}. 409 EMAIL_TAKEN, 403 SIGNUP_CLOSED, 400 WEAK_PASSWORD.',
  })
  signup(@Req() req: RequestContext, @Body() body: SignupDto): ReturnType<AuthService['signup']> {
    return this.auth.signup(req, body);
  }

  @Post('login')
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ description: '{accessToken, refreshToken, tokenType, expiresIn, user}. 401 INVALID_CREDENTIALS, 429 RATE_LIMITED.' })
  login(@LoggedInUser() user: UserView): Promise<TokenPair & { user: UserView }> {
    return this.auth.login(user);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({
    description:
      'A new pair; the token sent is spent. Reusing a spent one: 401 REFRESH_TOKEN_REUSED and the whole session family is revoked.',
  })
  refresh(@Req() req: RequestContext, @Body() body: RefreshDto): Promise<TokenPair> {
    return this.auth.refresh(req, body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOkResponse({ description: 'Revokes the session (the refresh token family). Idempotent.' })
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }
}
