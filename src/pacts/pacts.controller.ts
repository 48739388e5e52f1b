import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import type { Page } from '../common/pagination';
import { ProblemDetails } from '../common/problem';
import { CreatePactDto, PactQueryDto, PutConditionDto, UpdatePactDto } from './dto/pact.dto';
import { ConditionView, PactDetailView, PactPage, type PactView } from './pact.views';
import { PactsService } from './pacts.service';

@ApiTags('pacts')
@Controller('pacts')
export class PactsController {
  constructor(private readonly pacts: PactsService) {}

  @Get()
  @Permission('pact.read')
  @ApiOperation({ summary: 'Pacts of our side (owner organisation’s organisers and org_admins; coalition coordinators and active partners), newest first, with their tally' })
  @ApiOkResponse({ type: PactPage })
  list(@CurrentCaller() caller: Caller, @Query() query: PactQueryDto): Promise<Page<PactView>> {
    return this.pacts.list(caller, query);
  }

  @Post()
  @Permission('pact.manage')
  @ApiOperation({ summary: 'Offer a pact to a counterpart (org_admin of the owner organisation, or coordinator of the coalition); starts as draft' })
  @ApiCreatedResponse({ type: PactDetailView })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreatePactDto): Promise<PactDetailView> {
    return this.pacts.create(caller, dto);
  }

  @Get(':id')
  @Permission('pact.read')
  @ApiOperation({ summary: 'One pact with its conditions and their tally (not found outside our side)' })
  @ApiOkResponse({ type: PactDetailView })
  get(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<PactDetailView> {
    return this.pacts.get(caller, id);
  }

  @Patch(':id')
  @Permission('pact.manage')
  @ApiOperation({ summary: 'Edit a pact or move its status: draft → negotiating → agreed | rejected; agreed → fulfilled | broken' })
  @ApiOkResponse({ type: PactDetailView })
  @ApiConflictResponse({ description: 'Transition not allowed', type: ProblemDetails })
  update(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdatePactDto): Promise<PactDetailView> {
    return this.pacts.update(caller, id, dto);
  }

  @Put(':id/conditions/:demandId')
  @Permission('pact.manage')
  @ApiOperation({ summary: 'Make one of our demands a condition of the pact, or set a condition’s status and note' })
  @ApiCreatedResponse({ type: ConditionView, description: 'Condition added' })
  @ApiOkResponse({ type: ConditionView, description: 'Condition updated' })
  @ApiConflictResponse({ description: 'The pact’s status does not allow this change, or the demand is a draft or withdrawn', type: ProblemDetails })
  async putCondition(
    @CurrentCaller() caller: Caller,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('demandId', ParseUUIDPipe) demandId: string,
    @Body() dto: PutConditionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConditionView> {
    const { condition, created } = await this.pacts.putCondition(caller, id, demandId, dto);
    void reply.status(created ? 201 : 200);
    return condition;
  }
}
