import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Permission } from '../access/permission.decorator';
import { type Page, PageQuery } from '../common/pagination';
import { OUTBOX_STATES, type OutboxState } from './outbox-message.entity';
import { OutboxService, type OutboxMessageView } from './outbox.service';

class OutboxQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: OUTBOX_STATES })
  @IsOptional()
  @IsIn(OUTBOX_STATES)
  state?: OutboxState;
}

@ApiTags('outbox')
@Controller('outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @Permission('outbox.read')
  @ApiOperation({ summary: 'E-mails owed and their delivery state, newest first (platform admin; bodies and addresses redacted)' })
  @ApiOkResponse({ description: '{ items, nextCursor }' })
  list(@Query() query: OutboxQueryDto): Promise<Page<OutboxMessageView>> {
    return this.outbox.list(query);
  }
}
