import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import type { ResourceAccess } from '../access/resource-access';
import { WebhooksRepository, type EndpointScope } from './webhooks.repository';

/**
 * Who may see and manage a webhook endpoint: holders of webhook.manage over
 * its organisation (an org_admin there or above; an API token of it holding
 * the permission) or in its coalition (a coordinator), and platform admins.
 * Nobody else learns it exists (404). One rule for single reads and lists.
 */
@Injectable()
export class WebhookAccess implements ResourceAccess<'manage'> {
  constructor(
    private readonly access: AccessService,
    private readonly endpoints: WebhooksRepository,
  ) {}

  async scope(caller: Caller): Promise<EndpointScope> {
    return { organisations: await this.access.organisationScope(caller, 'webhook.manage'), coalitions: this.access.coalitionScope(caller, 'webhook.manage') };
  }

  async allowed(caller: Caller, _action: 'see' | 'manage', ids: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    return new Set(await this.endpoints.idsInScope(ids, await this.scope(caller)));
  }

  /** May the caller register an endpoint for this owner? */
  async mayManageOwner(caller: Caller, owner: { organisationId?: string; coalitionId?: string }): Promise<boolean> {
    if (owner.organisationId) return this.access.canOnOrganisation(caller, 'webhook.manage', owner.organisationId);
    return !!owner.coalitionId && this.access.canOnCoalition(caller, 'webhook.manage', owner.coalitionId);
  }
}
