import { Module } from '@nestjs/common';
import { DemandsModule } from '../demands/demands.module';
import { PactsController } from './pacts.controller';
import { PactsService } from './pacts.service';

@Module({ imports: [DemandsModule], controllers: [PactsController], providers: [PactsService] })
export class PactsModule {}
