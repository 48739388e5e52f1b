import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiSchema, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Permission } from '../access/permission.decorator';
import { type Page, PageOf, PageQuery } from '../common/pagination';
import { OUTBOX_STATES, type OutboxState } from './outbox-message.entity';
import { OutboxService, type OutboxMessageView } from './outbox.service';

class OutboxQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: OUTBOX_STATES })
  @IsOptional()
  @IsIn(OUTBOX_STATES)
  state?: OutboxState;
}

/** An e-mail owed, with its recipient masked and no body. */
@ApiSchema({ name: 'OutboxMessageView' })
class OutboxMessageViewSchema implements OutboxMessageView {
  @ApiProperty() id: string;
  @ApiProperty() template: string;
  @ApiProperty({ description: 'Masked' }) recipient: string;
  @ApiProperty() locale: string;
  @ApiProperty({ enum: OUTBOX_STATES }) state: OutboxState;
  @ApiProperty() attempts: number;
  @ApiProperty() nextAttemptAt: Date;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) sentAt: Date | null;
}

@ApiTags('outbox')
@Controller('outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @Permission('outbox.read')
  @ApiOperation({ summary: 'E-mails owed and their delivery state, newest first (platform admin; bodies and addresses redacted)' })
  @ApiOkResponse({ type: PageOf(OutboxMessageViewSchema, 'OutboxMessagePage') })
  list(@Query() query: OutboxQueryDto): Promise<Page<OutboxMessageView>> {
    return this.outbox.list(query);
  }
}
