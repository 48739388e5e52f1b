import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { ProblemDetails } from '../common/problem';
import { EXPORT_COLUMNS, IMPORT_COLUMNS } from './member-csv';
import { MemberExportService } from './member-export.service';
import { MemberImportService } from './member-import.service';
import { ImportAccepted, ImportView } from './members.views';

@ApiTags('members')
@Controller()
export class MemberImportsController {
  constructor(
    private readonly imports: MemberImportService,
    private readonly exports: MemberExportService,
  ) {}

  @Post('organisations/:id/imports')
  @HttpCode(202)
  @Permission('member.import')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Upload a CSV of members (UTF-8, comma or semicolon); processed in the background, follow it at GET /imports/:id' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
    description: `Header columns (case and accents ignored): ${IMPORT_COLUMNS.join(', ')}; given_name and family_name required.`,
  })
  @ApiAcceptedResponse({ type: ImportAccepted })
  @ApiBadRequestResponse({ description: 'Not CSV (with the line), unknown or missing columns, no rows', type: ProblemDetails })
  @ApiPayloadTooLargeResponse({ description: 'Larger than IMPORT_MAX_BYTES', type: ProblemDetails })
  upload(@CurrentCaller() caller: Caller, @Param('id') id: string, @Req() request: FastifyRequest): Promise<ImportAccepted> {
    return this.imports.upload(caller, id, request);
  }

  @Get('imports/:id')
  @Permission('member.import')
  @ApiOperation({ summary: 'An import’s state, counts and rejected rows (line and reason)' })
  @ApiOkResponse({ type: ImportView })
  get(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<ImportView> {
    return this.imports.get(caller, id);
  }

  @Post('imports/:id/retry')
  @HttpCode(202)
  @Permission('member.import')
  @ApiOperation({ summary: 'Retry a failed (or stalled) import: it resumes after the last saved batch, nothing is imported twice' })
  @ApiAcceptedResponse({ type: ImportView })
  @ApiConflictResponse({ description: 'Completed, still running, or its file was discarded', type: ProblemDetails })
  retry(@CurrentCaller() caller: Caller, @Param('id', ParseUUIDPipe) id: string): Promise<ImportView> {
    return this.imports.retry(caller, id);
  }

  @Get('organisations/:id/members.csv')
  @Permission('member.export')
  @ApiParam({ name: 'id', description: 'id or slug' })
  @ApiOperation({ summary: 'Download the member list (with sub-organisations) as CSV, streamed; org_admin only, and audited' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: `One line per membership; columns: ${EXPORT_COLUMNS.join(', ')}`, schema: { type: 'string' } })
  async exportCsv(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<StreamableFile> {
    const { filename, stream } = await this.exports.open(caller, id);
    return new StreamableFile(stream, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${filename}"` });
  }
}
