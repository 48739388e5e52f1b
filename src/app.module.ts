import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AccessModule } from './access/access.module';
import { ApiTokensModule } from './api-tokens/api-tokens.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { CoalitionsModule } from './coalitions/coalitions.module';
import { ProblemFilter } from './common/problem.filter';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/database-options';
import { DatabaseModule } from './database/database.module';
import { DemandsModule } from './demands/demands.module';
import { DomainEventsModule } from './domain-events/domain-events.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { MembersModule } from './members/members.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { OutboxModule } from './outbox/outbox.module';
import { PactsModule } from './pacts/pacts.module';
import { PagesModule } from './pages/pages.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { TextMessagesModule } from './text-messages/text-messages.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig & { databaseUrl: string }, extraModules: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl, config), retryAttempts: 2, retryDelay: 500 }),
        DatabaseModule,
        DomainEventsModule,
        HealthModule,
        AccessModule,
        AuditModule,
        RateLimitModule,
        OutboxModule,
        AuthModule,
        UsersModule,
        OrganisationsModule,
        CoalitionsModule,
        CampaignsModule,
        EventsModule,
        DemandsModule,
        PactsModule,
        MembersModule,
        PagesModule,
        ApiTokensModule,
        WebhooksModule,
        TextMessagesModule,
        ...extraModules,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
