import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { ApiTokensService } from './api-tokens.service';
import { ApiTokenCreated, ApiTokenView } from './api-tokens.views';
import { ApiTokenListQuery, CreateApiTokenDto } from './dto/api-token.dto';

/** API tokens (issue 22): org_admins, for their organisation. A token itself never holds apitoken.manage. */
@ApiTags('api-tokens')
@Controller('api-tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  @Permission('apitoken.manage')
  @ApiOperation({
    summary: 'Make a named token for an organisation with some of the permissions you hold there, expiring within a year. The answer shows it (cvk_…) once; send it as Authorization: Bearer cvk_…',
  })
  @ApiCreatedResponse({ type: ApiTokenCreated })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateApiTokenDto): Promise<ApiTokenCreated> {
    return this.tokens.create(caller, dto);
  }

  @Get()
  @Permission('apitoken.manage')
  @ApiOperation({ summary: 'The tokens of the organisations you administer (optionally of one, with its descendants), revoked and expired ones too; never a secret' })
  @ApiOkResponse({ type: [ApiTokenView] })
  list(@CurrentCaller() caller: Caller, @Query() query: ApiTokenListQuery): Promise<ApiTokenView[]> {
    return this.tokens.list(caller, query);
  }

  @Delete(':id')
  @Permission('apitoken.manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token: its next request is refused (401). Idempotent' })
  @ApiNoContentResponse({ description: 'Revoked' })
  revoke(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.tokens.revoke(caller, id);
  }
}
