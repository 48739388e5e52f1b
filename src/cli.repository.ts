import { Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MemberImport } from './members/member-import.entity';

/**
 * The command-line tool's own reads, for what it shows an operator while it
 * works: the progress of an import it started (the import service's reads
 * answer a caller allowed in the organisation; the tool acts as no user),
 * and the size of an export for its progress bar. Read-only; every change
 * the tool makes goes through the services.
 */
@Injectable()
export class CliRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  importById(id: string): Promise<MemberImport> {
    return this.db.getRepository(MemberImport).findOneByOrFail({ id });
  }

  async membershipCount(organisationIds: string[]): Promise<number> {
    const [{ total }] = await this.db.query<{ total: number }[]>('SELECT count(*)::int AS total FROM memberships WHERE organisation_id = ANY($1::uuid[])', [organisationIds]);
    return total;
  }
}

/** Added to the application the tool boots (AppModule.forRoot's extra modules). */
@Module({ providers: [CliRepository] })
export class CliModule {}
