import { Global, Module } from '@nestjs/common';

import { Transactions } from './transactions';

/** The connection (TypeORM's DataSource, made by AppModule) and the one thing services take from it: transactions. */
@Global()
@Module({ providers: [Transactions], exports: [Transactions] })
export class DatabaseModule {}
