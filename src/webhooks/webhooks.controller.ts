import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import type { Page } from '../common/pagination';
import { ProblemDetails } from '../common/problem';
import { CreateWebhookDto, DeliveryListQuery, UpdateWebhookDto, WebhookListQuery } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';
import { WebhookDeliveryPage, WebhookDeliveryView, WebhookEndpointCreated, WebhookEndpointView, WebhookSecretRotated } from './webhooks.views';

/**
 * Webhook endpoints (issue 22): org_admins for their organisation (its
 * descendants included), coordinators for their coalition, API tokens
 * holding webhook.manage for theirs. What is sent, and how it is signed:
 * README, "Webhooks and API tokens".
 */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Permission('webhook.manage')
  @ApiOperation({
    summary:
      'Register an endpoint for an organisation (descendants included) or a coalition. The answer shows its signing secret (whsec_…) once. The URL must be https and its host must not resolve to a private address',
  })
  @ApiCreatedResponse({ type: WebhookEndpointCreated })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateWebhookDto): Promise<WebhookEndpointCreated> {
    return this.webhooks.create(caller, dto);
  }

  @Get()
  @Permission('webhook.manage')
  @ApiOperation({ summary: 'The endpoints the caller manages (optionally of one organisation, with its descendants, or one coalition); never a secret' })
  @ApiOkResponse({ type: [WebhookEndpointView] })
  list(@CurrentCaller() caller: Caller, @Query() query: WebhookListQuery): Promise<WebhookEndpointView[]> {
    return this.webhooks.list(caller, query);
  }

  @Get(':id')
  @Permission('webhook.manage')
  @ApiOperation({ summary: 'One endpoint (never its secret)' })
  @ApiOkResponse({ type: WebhookEndpointView })
  get(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<WebhookEndpointView> {
    return this.webhooks.get(caller, id);
  }

  @Patch(':id')
  @Permission('webhook.manage')
  @ApiOperation({ summary: 'Change the URL, the events or the description; disable or enable it again (the URL is checked again)' })
  @ApiOkResponse({ type: WebhookEndpointView })
  update(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateWebhookDto): Promise<WebhookEndpointView> {
    return this.webhooks.update(caller, id, dto);
  }

  @Delete(':id')
  @Permission('webhook.manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an endpoint, its pending deliveries and its delivery log' })
  @ApiNoContentResponse({ description: 'Removed' })
  remove(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.webhooks.remove(caller, id);
  }

  @Post(':id/rotate-secret')
  @Permission('webhook.manage')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new signing secret, shown once; the previous one keeps signing beside it (two v1 signatures) for 24 hours' })
  @ApiOkResponse({ type: WebhookSecretRotated })
  rotateSecret(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<WebhookSecretRotated> {
    return this.webhooks.rotateSecret(caller, id);
  }

  @Get(':id/deliveries')
  @Permission('webhook.manage')
  @ApiOperation({ summary: 'The delivery log, newest first: event type, state, attempts, last status code, last error, times, body' })
  @ApiOkResponse({ type: WebhookDeliveryPage })
  deliveries(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Query() query: DeliveryListQuery): Promise<Page<WebhookDeliveryView>> {
    return this.webhooks.deliveries(caller, id, query);
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @Permission('webhook.manage')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivered or failed delivery again, as it was (same webhook-id and body), with a new day of retries' })
  @ApiAcceptedResponse({ type: WebhookDeliveryView })
  @ApiConflictResponse({ description: 'The delivery is still pending, or the endpoint is disabled', type: ProblemDetails })
  replay(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string, @Param('deliveryId', ParseUUIDPipe) deliveryId: string): Promise<WebhookDeliveryView> {
    return this.webhooks.replay(caller, id, deliveryId);
  }
}
