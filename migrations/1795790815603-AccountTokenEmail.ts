import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The address an e-mailed token was sent to: it proves control of that address only. */

export class AccountTokenEmail1795790815603 implements MigrationInterface {
  name = 'AccountTokenEmail1795790815603';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "account_tokens" ADD "email" citext`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "account_tokens" DROP COLUMN "email"`);
  }
}
