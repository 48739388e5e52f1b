import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Public } from '../access/public.decorator';
import { notFound } from '../common/problem';
import { ASSETS } from './assets';

/** The stylesheet and the script, under names that change with their content: cached for a year. */
@ApiExcludeController()
@Controller('assets')
@Public()
export class AssetsController {
  @Get(':file')
  file(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const asset = ASSETS.get(`/assets/${file}`);
    if (!asset) throw notFound('file');
    void reply.headers({ 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable' });
    return asset.body;
  }
}
