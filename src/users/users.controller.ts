import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentCaller, type Caller } from '../access/caller';
import { Permission } from '../access/permission.decorator';
import { PageQuery, type Page } from '../common/pagination';
import { ProblemDetails } from '../common/problem';
import { CreateUserDto } from './dto/create-user.dto';
import { UsersService } from './users.service';
import { UserPage, UserViewSchema, type UserView } from './users.views';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Permission('user.list')
  @ApiOperation({ summary: 'All logins (platform admin)' })
  @ApiOkResponse({ type: UserPage })
  list(@Query() query: PageQuery): Promise<Page<UserView>> {
    return this.users.list(query.limit, query.cursor);
  }

  @Post()
  @Permission('user.create')
  @ApiOperation({
    summary: 'Invite a staff login (platform admin): the address gets a link to set its password; grant it roles with /role-assignments',
    description:
      'Nobody chooses a password for someone else. Until its owner follows the link the login is unconfirmed, has no usable password, and never blocks the owner from registering or resetting.',
  })
  @ApiCreatedResponse({ type: UserViewSchema, description: 'The new user' })
  @ApiConflictResponse({ type: ProblemDetails })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateUserDto): Promise<UserView> {
    return this.users.create(caller, dto);
  }
}
