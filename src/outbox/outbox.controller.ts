import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { Permission } from '../access/permission.decorator';
import type { Page } from '../common/pagination';
import { OutboxQueryDto } from './dto/outbox-query.dto';
import { OutboxService } from './outbox.service';
import { OutboxMessagePage, type OutboxMessageView } from './outbox.views';

@ApiTags('outbox')
@Controller('outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @Permission('outbox.read')
  @ApiOperation({ summary: 'E-mails owed and their delivery state, newest first (platform admin; bodies and addresses redacted)' })
  @ApiOkResponse({ type: OutboxMessagePage })
  list(@Query() query: OutboxQueryDto): Promise<Page<OutboxMessageView>> {
    return this.outbox.list(query);
  }
}
