import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

import { PageQuery } from '../../common/pagination';
import { OUTBOX_STATES, type OutboxState } from '../outbox-message.entity';

export class OutboxQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: OUTBOX_STATES })
  @IsOptional()
  @IsIn(OUTBOX_STATES)
  state?: OutboxState;
}
