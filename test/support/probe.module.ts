import { Body, Controller, Get, HttpCode, Module, Post, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Type } from 'class-transformer';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';

import { Public } from '../../src/access/public.decorator';

class ProbeDto {
  @IsString()
  @Length(1, 50)
  name: string;

  @IsInt()
  @Min(0)
  age: number;
}

class SleepQuery {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60)
  seconds: number;
}

/** Test-only routes that exercise the HTTP pipeline. Never part of the app. */
@Controller('probe')
@Public()
class ProbeController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Post('echo')
  echo(@Body() body: ProbeDto): ProbeDto {
    return body;
  }

  /** A route that takes no body. */
  @Post('noop')
  @HttpCode(204)
  noop(): void {}

  /** A query as slow as asked, through the application's own pool (statement_timeout). */
  @Get('sleep')
  async sleep(@Query() query: SleepQuery): Promise<{ slept: number }> {
    await this.db.query('SELECT pg_sleep($1)', [query.seconds]);
    return { slept: query.seconds };
  }

  @Get('boom')
  boom(): never {
    throw new Error('secret internal detail: connection string postgres://x@y');
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
