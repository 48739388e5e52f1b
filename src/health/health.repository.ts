import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { pendingMigrations } from '../database/migrations';

/** What the readiness check asks the database: the migrations not applied yet (it throws when the database does not answer). */
@Injectable()
export class HealthRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.db);
  }
}
