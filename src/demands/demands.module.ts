import { Module } from '@nestjs/common';
import { DemandsController } from './demands.controller';
import { DemandsService } from './demands.service';
import { OwnerAccessService } from './owner-access.service';

@Module({ controllers: [DemandsController], providers: [DemandsService, OwnerAccessService], exports: [DemandsService, OwnerAccessService] })
export class DemandsModule {}
