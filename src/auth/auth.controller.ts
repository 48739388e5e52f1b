import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';

import { CurrentCaller, type Caller, type RequestWithCaller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { Public } from '../access/public.decorator';
import { ProblemDetails } from '../common/problem';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import type { User } from '../users/user.entity';
import { AccountsService, type ACCEPTED } from './accounts.service';
import { AuthService } from './auth.service';
import { AcceptedDto, MeView, TokenPairDto, type TokenPair } from './auth.views';
import { ChangePasswordDto, EmailDto, LoginDto, RefreshDto, TokenPasswordDto } from './dto/auth.dto';
import { LocalAuthGuard } from './strategies';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  @ApiOperation({ summary: 'Log in with e-mail and password' })
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ description: 'Wrong e-mail or password (the same answer for unknown e-mails)', type: ProblemDetails })
  @RateLimited('Too many failed attempts for this account or address')
  login(@Req() request: RequestWithCaller): Promise<TokenPair> {
    return this.auth.login(request.user as unknown as User);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair (the old one dies; reusing it closes the session)' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired or already used refresh token', type: ProblemDetails })
  @RateLimited('Too many refreshes from this address')
  refresh(@CurrentCaller() caller: Caller, @Body() dto: RefreshDto): Promise<TokenPair> {
    return this.auth.refresh(dto.refreshToken, caller.ip);
  }

  @Post('logout')
  @Permission('self')
  @HttpCode(204)
  @ApiOperation({ summary: 'End this session (its refresh and access tokens stop working)' })
  @ApiNoContentResponse()
  async logout(@CurrentCaller() caller: Caller, @Body() dto: RefreshDto): Promise<void> {
    await this.auth.logout(caller, dto.refreshToken);
  }

  @Get('me')
  @Permission('self')
  @ApiOperation({ summary: 'The logged-in user, the linked member and role assignments' })
  @ApiOkResponse({ type: MeView })
  me(@CurrentCaller() caller: Caller) {
    return this.auth.me(caller);
  }

  @Post('password')
  @Permission('self')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your password (your other sessions are closed)' })
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ description: 'Current password wrong', type: ProblemDetails })
  @RateLimited('Too many wrong passwords for this account or address')
  async changePassword(@CurrentCaller() caller: Caller, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(caller, dto.currentPassword, dto.newPassword);
  }

  @Post('password-reset')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'Ask for a password-reset e-mail (same answer whether or not the address is known; rate limited)' })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @RateLimited()
  requestPasswordReset(@CurrentCaller() caller: Caller, @Body() dto: EmailDto): Promise<typeof ACCEPTED> {
    return this.accounts.requestPasswordReset(dto.email, caller.ip);
  }

  @Post('password-reset/confirm')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a new password with the e-mailed token (single use, 1 hour); closes every session' })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'Token invalid, expired or used; or password too weak', type: ProblemDetails })
  async confirmPasswordReset(@CurrentCaller() caller: Caller, @Body() dto: TokenPasswordDto): Promise<void> {
    await this.accounts.confirmPasswordReset(caller, dto.token, dto.password);
  }
}
