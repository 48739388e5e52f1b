import { Controller, Get, Header, HttpCode, Post, Query, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { CurrentCaller, type Caller } from '../access/caller';
import { Public } from '../access/public.decorator';
import { ProblemDetails, unauthorized } from '../common/problem';
import { TextInboundService } from './text-inbound.service';

/**
 * The providers' inbound webhooks (issue 24): public (a provider has no
 * login) and signature-verified — a call without a valid signature of its
 * raw body is a 401 and records nothing. README: *Text channels*.
 */
@ApiTags('text-messages')
@Controller('text')
export class TextInboundController {
  constructor(private readonly inbound: TextInboundService) {}

  @Post('sms/inbound')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    summary:
      'The SMS gateway’s inbound webhook: a reply {from, text} or a delivery receipt {id, status}, signed with X-Convoca-Signature: sha256=<hex HMAC-SHA256 of the raw body under SMS_GATEWAY_INBOUND_SECRET>',
  })
  @ApiNoContentResponse({ description: 'Recorded (the same answer whatever the number is)' })
  @ApiUnauthorizedResponse({ description: 'The signature is missing or not valid: nothing is recorded', type: ProblemDetails })
  @ApiNotFoundResponse({ description: 'This channel is not configured', type: ProblemDetails })
  async sms(@CurrentCaller() caller: Caller, @Req() req: RawBodyRequest<FastifyRequest>): Promise<void> {
    await this.inbound.receive('sms', caller, { rawBody: req.rawBody ?? Buffer.alloc(0), headers: req.headers, body: req.body });
  }

  @Post('whatsapp/inbound')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'The WhatsApp Cloud API’s webhook: messages and statuses, signed with X-Hub-Signature-256 (HMAC-SHA256 of the raw body under WHATSAPP_APP_SECRET)' })
  @ApiNoContentResponse({ description: 'Recorded (the same answer whatever the number is)' })
  @ApiUnauthorizedResponse({ description: 'The signature is missing or not valid: nothing is recorded', type: ProblemDetails })
  @ApiNotFoundResponse({ description: 'This channel is not configured', type: ProblemDetails })
  async whatsapp(@CurrentCaller() caller: Caller, @Req() req: RawBodyRequest<FastifyRequest>): Promise<void> {
    await this.inbound.receive('whatsapp', caller, { rawBody: req.rawBody ?? Buffer.alloc(0), headers: req.headers, body: req.body });
  }

  @Get('whatsapp/inbound')
  @Public()
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'The WhatsApp webhook’s subscription handshake: answers hub.challenge when hub.verify_token is WHATSAPP_VERIFY_TOKEN' })
  @ApiOkResponse({ description: 'The challenge, as given', schema: { type: 'string', example: '1158201444' } })
  @ApiUnauthorizedResponse({ description: 'Not the verify token (or WhatsApp is not configured)', type: ProblemDetails })
  handshake(@Query() query: Record<string, unknown>): string {
    const challenge = this.inbound.handshake(query);
    if (challenge === null) throw unauthorized('The verify token is not valid.');
    return challenge;
  }
}
