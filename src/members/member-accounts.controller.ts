import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { type Caller, CurrentCaller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { Public } from '../access/public.decorator';
import type { ACCEPTED } from '../auth/accounts.service';
import { AcceptedDto, EmailDto, TokenPairDto, TokenPasswordDto } from '../auth/dto/auth.dto';
import type { TokenPair } from '../auth/tokens.service';
import { ProblemDetails } from '../common/problem';
import { MemberAccountsService } from './member-accounts.service';
import { RateLimited } from '../rate-limit/rate-limited.decorator';

class TokenDto {
  @ApiProperty({ description: 'The token from the e-mail link' })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  token: string;
}

@ApiTags('accounts')
@Controller()
export class MemberAccountsController {
  constructor(private readonly accounts: MemberAccountsService) {}

  @Post('members/:id/invitation')
  @Permission('member.manage')
  @HttpCode(202)
  @ApiOperation({ summary: 'E-mail a member a single-use link (7 days) to create their login (org_admin of one of their organisations)' })
  @ApiAcceptedResponse({ schema: { example: { status: 'sent' } } })
  @ApiConflictResponse({ description: 'No address, or the person already has a login', type: ProblemDetails })
  invite(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<{ status: 'sent' }> {
    return this.accounts.invite(caller, id);
  }

  @Post('auth/register')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'A member with a confirmed address asks for a login (same answer for every address; rate limited)' })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @RateLimited()
  register(@CurrentCaller() caller: Caller, @Body() dto: EmailDto): Promise<typeof ACCEPTED> {
    return this.accounts.register(caller, dto.email);
  }

  @Post('auth/accept-invitation')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create the login from an invitation or registration link and a password; answers a token pair' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiBadRequestResponse({ description: 'Token invalid, expired or used; password too weak', type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails })
  accept(@CurrentCaller() caller: Caller, @Body() dto: TokenPasswordDto): Promise<TokenPair> {
    return this.accounts.accept(caller, dto.token, dto.password);
  }

  @Post('auth/verify-email')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Confirm the address given on a membership application (single-use link)' })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ type: ProblemDetails })
  async verifyEmail(@CurrentCaller() caller: Caller, @Body() dto: TokenDto): Promise<void> {
    await this.accounts.verifyEmail(caller, dto.token);
  }
}
