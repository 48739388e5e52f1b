import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';

import { PageQuery } from '../../common/pagination';
import { DELIVERY_STATES, type DeliveryState } from '../webhook-delivery.entity';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhook-events';

const URL_EXAMPLE = 'https://hooks.vocesdelpueblo.example.org/convoca';

export class CreateWebhookDto {
  @ApiProperty({ example: URL_EXAMPLE, maxLength: 2048, description: 'https (http outside production); its host must not resolve to a private, loopback or link-local address' })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['signup.created', 'membership.applied'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events: WebhookEventType[];

  @ApiPropertyOptional({ example: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90', description: 'The organisation (its descendants included) whose events it receives; or coalitionId' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ description: 'The coalition whose events it receives (events and signups only); or organisationId' })
  @IsOptional()
  @IsUUID()
  coalitionId?: string;

  @ApiPropertyOptional({ example: 'Our CRM: new signups and memberships', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ example: URL_EXAMPLE, maxLength: 2048 })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['signup.created', 'signup.cancelled'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events?: WebhookEventType[];

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Our CRM', maxLength: 500 })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ example: true, description: 'false: stop sending (pending deliveries wait); true: send again (after a day of failures, the worker sets false)' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookListQuery {
  @ApiPropertyOptional({ description: 'Organisation id: its endpoints and its descendants’' })
  @IsOptional()
  @IsUUID()
  organisation?: string;

  @ApiPropertyOptional({ description: 'Coalition id' })
  @IsOptional()
  @IsUUID()
  coalition?: string;
}

export class DeliveryListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATES })
  @IsOptional()
  @IsIn(DELIVERY_STATES)
  state?: DeliveryState;
}
