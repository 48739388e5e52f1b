import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { AccessService } from '../access/access.service';
import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import type { Page } from '../common/pagination';
import { forbidden } from '../common/problem';
import type { AuditEntry } from './audit-entry.entity';
import { AuditService } from './audit.service';
import { AuditEntryPage, AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('audit')
@Controller('audit-log')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  @Get()
  @Permission('audit.read')
  @ApiOperation({ summary: 'Audit entries in the caller’s scopes, newest first (platform admin: all)' })
  @ApiOkResponse({ type: AuditEntryPage })
  async list(@CurrentCaller() caller: Caller, @Query() query: AuditQueryDto): Promise<Page<AuditEntry>> {
    let organisationIds = await this.access.organisationScope(caller, 'audit.read');
    let coalitionIds = this.access.coalitionScope(caller, 'audit.read');
    if (query.organisation) {
      if (!(await this.access.canOnOrganisation(caller, 'audit.read', query.organisation))) throw forbidden('You may not read this organisation’s audit log.');
      organisationIds = { all: false, ids: await this.access.descendants([query.organisation]) };
      coalitionIds = { all: false, ids: [] };
    }
    return this.audit.list({ organisationIds, coalitionIds, entity: query.entity, actor: query.actor, limit: query.limit, cursor: query.cursor });
  }
}
