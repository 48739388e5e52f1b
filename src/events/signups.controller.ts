import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { Public } from '../access/public.decorator';
import { PageQuery, type Page } from '../common/pagination';
import { ProblemDetails } from '../common/problem';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import { CreateSignupDto, ManageTokenDto, SignupQueryDto, UpdateSignupDto } from './dto/signup.dto';
import { OwnSignupPage, SignupAnswer, SignupCancelled, SignupLookupView, SignupPage, SignupView, type OwnSignupView } from './events.views';
import { SignupsService } from './signups.service';

/**
 * Signups. Routes for those who handle an event's signups declare `self`
 * (any logged-in user) because per-event hosts hold no organisation role
 * the guard could check; the service then requires organiser rights on the
 * event or its per-event host role, and answers 403/404 otherwise.
 */
/** A 403 from the service (the guard lets any logged-in user through to these routes). */
const ForSignupHandlers = () => ApiForbiddenResponse({ description: 'Only the organisers and hosts of this event may handle its signups' });

@ApiTags('signups')
@Controller()
export class SignupsController {
  constructor(private readonly signups: SignupsService) {}

  @Get('events/:id/signups')
  @Permission('self')
  @ApiOperation({
    summary:
      'Signups in arrival order (organisers and per-event hosts). E-mail and phone: a guest’s for member-data readers of a host organisation, a member’s for member-data readers of one of the member’s organisations',
  })
  @ApiOkResponse({ type: SignupPage })
  @ForSignupHandlers()
  list(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Query() query: SignupQueryDto): Promise<Page<SignupView>> {
    return this.signups.list(caller, id, query);
  }

  @Post('events/:id/signups')
  @Public()
  @ApiOperation({
    summary:
      'Sign up: a logged-in member with an empty body (or just shiftId), or a guest with name, email, phone?, consent (rate limited). Answers going or waitlisted, and a guest’s secret manageToken, shown once',
  })
  @ApiCreatedResponse({ type: SignupAnswer })
  @ApiConflictResponse({ description: 'Already signed up, signups closed, event cancelled or over', type: ProblemDetails })
  @RateLimited()
  signUp(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CreateSignupDto): Promise<SignupAnswer> {
    return this.signups.signUp(caller, id, dto);
  }

  @Patch('events/:id/signups/:signupId')
  @Permission('self')
  @ApiOperation({ summary: 'Set a signup’s status: attended, no_show, cancelled (organisers, per-event hosts); cancelled (the member themselves). A freed seat goes to the next in line' })
  @ApiOkResponse({ type: SignupView })
  @ForSignupHandlers()
  @ApiConflictResponse({ type: ProblemDetails })
  update(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Param('signupId', ParseUUIDPipe) signupId: string, @Body() dto: UpdateSignupDto): Promise<SignupView> {
    return this.signups.update(caller, id, signupId, dto);
  }

  @Post('events/:id/signups/:signupId/check-in')
  @Permission('self')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check someone in at the door (organisers, per-event hosts). Idempotent' })
  @ApiOkResponse({ type: SignupView })
  @ForSignupHandlers()
  @ApiConflictResponse({ description: 'Waitlisted or cancelled: no seat to check in to', type: ProblemDetails })
  checkIn(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Param('signupId', ParseUUIDPipe) signupId: string): Promise<SignupView> {
    return this.signups.checkIn(caller, id, signupId);
  }

  @Post('signups/lookup')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'A guest views their signup with its secret token (in the body, never in a URL; rate limited)' })
  @ApiOkResponse({ type: SignupLookupView })
  @ApiNotFoundResponse({ description: 'No signup behind this token', type: ProblemDetails })
  @RateLimited()
  lookup(@CurrentCaller() caller: Caller, @Body() dto: ManageTokenDto): Promise<SignupLookupView> {
    return this.signups.lookup(caller, dto.token);
  }

  @Post('signups/cancel')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'A guest cancels their signup with its secret token (idempotent; rate limited)' })
  @ApiOkResponse({ type: SignupCancelled })
  @ApiNotFoundResponse({ description: 'No signup behind this token', type: ProblemDetails })
  @RateLimited()
  cancel(@CurrentCaller() caller: Caller, @Body() dto: ManageTokenDto): Promise<SignupCancelled> {
    return this.signups.cancelByToken(caller, dto.token);
  }

  @Get('me/signups')
  @Permission('self')
  @ApiOperation({ summary: 'Your own signups (as a member), newest first' })
  @ApiOkResponse({ type: OwnSignupPage })
  mine(@CurrentCaller() caller: Caller, @Query() query: PageQuery): Promise<Page<OwnSignupView>> {
    return this.signups.mine(caller, query);
  }
}
