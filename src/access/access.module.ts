import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { AccessService } from './access.service';
import { PolicyGuard } from './policy.guard';
import { RoleAssignmentsController } from './role-assignments.controller';
import { RoleAssignmentsRepository } from './role-assignments.repository';
import { RolesService } from './roles.service';

@Global()
@Module({
  controllers: [RoleAssignmentsController],
  providers: [AccessService, RolesService, RoleAssignmentsRepository, { provide: APP_GUARD, useClass: PolicyGuard }],
  exports: [AccessService, RolesService],
})
export class AccessModule {}
