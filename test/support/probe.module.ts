import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { IsInt, IsString, Length, Min } from 'class-validator';
import { Public } from '../../src/access/public.decorator';

class ProbeDto {
  @IsString()
  @Length(1, 50)
  name: string;

  @IsInt()
  @Min(0)
  age: number;
}

/** Test-only routes that exercise the HTTP pipeline. Never part of the app. */
@Controller('probe')
@Public()
class ProbeController {
  @Post('echo')
  echo(@Body() body: ProbeDto): ProbeDto {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('secret internal detail: connection string postgres://x@y');
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
