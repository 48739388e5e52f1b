import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { Public } from '../access/public.decorator';
import type { ACCEPTED } from '../auth/accounts.service';
import { AcceptedDto, TokenPairDto, type TokenPair } from '../auth/auth.views';
import { AcceptInvitationDto, EmailDto } from '../auth/dto/auth.dto';
import { ProblemDetails } from '../common/problem';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import { MemberAccountsService } from './member-accounts.service';

class TokenDto {
  @ApiProperty({ description: 'The token from the e-mail link' })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  token: string;
}

class LinkResult {
  @ApiProperty({ description: 'How many member records were linked to your login' })
  linked: number;
}

@ApiTags('accounts')
@Controller()
export class MemberAccountsController {
  constructor(private readonly accounts: MemberAccountsService) {}

  @Post('members/:id/invitation')
  @Permission('member.manage')
  @HttpCode(202)
  @ApiOperation({
    summary: 'E-mail a member record a single-use link (7 days) to a login (org_admin of one of its organisations)',
    description:
      'The link goes to the record’s own address. Following it creates the login, or adds the record to the login the address already has (with its password). Whether the address has a login anywhere is never told to the caller.',
  })
  @ApiAcceptedResponse({ schema: { example: { status: 'sent' } } })
  @ApiConflictResponse({ description: 'No address, or this record is already linked to a login', type: ProblemDetails })
  invite(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<{ status: 'sent' }> {
    return this.accounts.invite(caller, id);
  }

  @Post('auth/register')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'A member with a confirmed address asks for a login (same answer for every address; rate limited). Following the link links every record held with the address' })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @RateLimited()
  register(@CurrentCaller() caller: Caller, @Body() dto: EmailDto): Promise<typeof ACCEPTED> {
    return this.accounts.register(caller, dto.email);
  }

  @Post('auth/accept-invitation')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Follow an invitation or registration link with a password; answers a token pair',
    description:
      'Without a login for the address, creates it with this password. With a confirmed login, the password must be that login’s, and the record is added to it. A login never confirmed is taken over by the address’s owner (its sessions end).',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiBadRequestResponse({ description: 'Token invalid, expired or used; password too weak', type: ProblemDetails })
  @ApiUnauthorizedResponse({ description: 'The address has a confirmed login and this is not its password', type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails })
  accept(@CurrentCaller() caller: Caller, @Body() dto: AcceptInvitationDto): Promise<TokenPair> {
    return this.accounts.accept(caller, dto.token, dto.password);
  }

  @Post('me/links')
  @Permission('self')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Link my memberships: e-mail my login’s address a link (24 h) that adds to my login the member records held with that address',
    description: 'The same answer whatever is held. The link must be followed while logged in to the same login (POST /me/links/confirm).',
  })
  @ApiAcceptedResponse({ type: AcceptedDto })
  requestLinks(@CurrentCaller() caller: Caller): Promise<typeof ACCEPTED> {
    return this.accounts.requestLinks(caller);
  }

  @Post('me/links/confirm')
  @Permission('self')
  @HttpCode(200)
  @ApiOperation({ summary: 'Follow the e-mailed "link my memberships" link: the records held with your address join your login (one per data controller)' })
  @ApiOkResponse({ type: LinkResult })
  @ApiBadRequestResponse({ description: 'Token invalid, expired, used, or asked for by another login', type: ProblemDetails })
  confirmLinks(@CurrentCaller() caller: Caller, @Body() dto: TokenDto): Promise<LinkResult> {
    return this.accounts.confirmLinks(caller, dto.token);
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
