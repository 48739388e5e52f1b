import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { DELIVERY_STATES, type DeliveryState } from './webhook-delivery.entity';
import { EXAMPLE_PAYLOADS, WEBHOOK_EVENT_TYPES } from './webhook-events';
import type { DeliveryRow, EndpointRow } from './webhooks.repository';

const ENDPOINT_ID = '8c1f4b7e-2a5d-4e8b-9c1f-4b7e2a5d8e0c';
const DELIVERY_ID = '1b4e7a0d-3c6f-4a9d-8b2e-5c8f1a4d7b0e';

/** A webhook endpoint as its managers see it: never its secret. */
export class WebhookEndpointView {
  @ApiProperty({ example: ENDPOINT_ID }) id: string;
  @ApiProperty({ example: 'https://hooks.vocesdelpueblo.example.org/convoca' }) url: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Our CRM: new signups and memberships' }) description: string | null;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['signup.created', 'membership.applied'] }) events: string[];
  @ApiPropertyOptional({ type: String, nullable: true, example: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90' }) organisationId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: null }) coalitionId: string | null;
  @ApiProperty({ example: true }) enabled: boolean;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: null }) disabledAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, enum: ['failing', 'manual'], example: null, description: 'failing: after a day of failed attempts; manual: by a person' })
  disabledReason: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: null, description: 'Since when every attempt has failed' }) failingSince: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: null, description: 'After a rotation: until when the previous secret still signs' })
  previousSecretExpiresAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: '8b3e6a9d-2c5f-4b8e-a1d4-7c0f3b6e9a2d' }) createdBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-05-30T15:15:00.000Z' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-05-30T15:15:00.000Z' }) updatedAt: string;
}

/** The answer to a registration: the endpoint and its secret, shown this once. */
export class WebhookEndpointCreated extends WebhookEndpointView {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'Shown once: `whsec_` and the base64 of 32 random bytes (Standard Webhooks)' }) secret: string;
}

export class WebhookSecretRotated {
  @ApiProperty({ example: ENDPOINT_ID }) id: string;
  @ApiProperty({ example: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', description: 'Shown once' }) secret: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-06-09T15:15:00.000Z', description: 'Until then both secrets sign (webhook-signature carries two v1 signatures)' })
  previousSecretExpiresAt: string;
}

export class WebhookDeliveryView {
  @ApiProperty({ example: DELIVERY_ID, description: 'Also the webhook-id header, the same on every attempt and on a replay' }) id: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, example: 'signup.created' }) eventType: string;
  @ApiProperty({ enum: DELIVERY_STATES, example: 'delivered' }) state: DeliveryState;
  @ApiProperty({ example: 1 }) attempts: number;
  @ApiPropertyOptional({ type: Number, nullable: true, example: 204 }) lastStatusCode: number | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: null, description: 'HTTP 500, timed out after 10000 ms, refused: … resolves to a private address…' }) lastError: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: null, description: 'Pending only: when it is tried next' }) nextAttemptAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: '2026-06-08T21:00:01.000Z' }) lastAttemptAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: '2026-06-08T21:00:01.000Z' }) deliveredAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-06-08T21:00:00.000Z' }) createdAt: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { type: 'signup.created', timestamp: '2026-06-08T21:00:00.000Z', data: EXAMPLE_PAYLOADS['signup.created'] },
    description: 'The body sent: ids and non-personal fields only',
  })
  payload: Record<string, unknown>;
}

export class WebhookDeliveryPage {
  @ApiProperty({ type: [WebhookDeliveryView] }) items: WebhookDeliveryView[];
  @ApiPropertyOptional({ type: String, nullable: true, example: 'WyIxODM0MiJd' }) nextCursor: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function endpointView(r: EndpointRow): WebhookEndpointView {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    events: r.events,
    organisationId: r.organisation_id,
    coalitionId: r.coalition_id,
    enabled: r.enabled,
    disabledAt: iso(r.disabled_at),
    disabledReason: r.disabled_reason,
    failingSince: iso(r.failing_since),
    previousSecretExpiresAt: r.previous_secret_expires_at && r.previous_secret_expires_at.getTime() > Date.now() ? r.previous_secret_expires_at.toISOString() : null,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function deliveryView(r: DeliveryRow): WebhookDeliveryView {
  return {
    id: r.id,
    eventType: r.event_type,
    state: r.state,
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null,
    lastAttemptAt: iso(r.last_attempt_at),
    deliveredAt: iso(r.delivered_at),
    createdAt: r.created_at.toISOString(),
    payload: r.payload,
  };
}
