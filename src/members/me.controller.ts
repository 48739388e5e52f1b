import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { ProblemDetails } from '../common/problem';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import { EraseSelfDto } from './dto/member.dto';
import { MemberRightsService } from './member-rights.service';
import { ErasureResult, MeExport } from './members.views';

@ApiTags('me')
@Controller('me')
export class MeController {
  constructor(private readonly rights: MemberRightsService) {}

  @Get('export')
  @Permission('self')
  @ApiOperation({ summary: 'Everything held on you (JSON): your login, the linked member with all memberships and consents, audit entries about you (without values)' })
  @ApiOkResponse({ type: MeExport })
  export(@CurrentCaller() caller: Caller): Promise<MeExport> {
    return this.rights.exportSelf(caller);
  }

  @Post('erase')
  @HttpCode(200)
  @Permission('self')
  @ApiOperation({ summary: 'Erase your member data and close your login (confirm with your password); memberships end, anonymous counts stay' })
  @ApiOkResponse({ type: ErasureResult })
  @ApiUnauthorizedResponse({ description: 'Wrong password', type: ProblemDetails })
  @RateLimited('Too many wrong passwords')
  @ApiNotFoundResponse({ description: 'No member linked to your login', type: ProblemDetails })
  @ApiConflictResponse({ description: 'Your login holds roles: give them up first', type: ProblemDetails })
  erase(@CurrentCaller() caller: Caller, @Body() dto: EraseSelfDto): Promise<ErasureResult> {
    return this.rights.eraseSelf(caller, dto.password);
  }
}
