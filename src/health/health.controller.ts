import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';

import { Public } from '../access/public.decorator';
import { HealthRepository } from './health.repository';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly database: HealthRepository) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'The database answers and no migration is pending' })
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'up', pendingMigrations: 0 } } })
  @ApiServiceUnavailableResponse({ description: 'Database unreachable or migrations pending' })
  async ready(): Promise<{ status: 'ok'; database: 'up'; pendingMigrations: 0 }> {
    let pending: string[];
    try {
      pending = await this.database.pendingMigrations();
    } catch {
      throw new ServiceUnavailableException('The database does not answer.');
    }
    if (pending.length > 0) throw new ServiceUnavailableException(`${pending.length} migration(s) pending.`);
    return { status: 'ok', database: 'up', pendingMigrations: 0 };
  }
}
