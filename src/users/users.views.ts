import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import { PageOf } from '../common/pagination';
import type { User } from './user.entity';

export interface UserView {
  id: string;
  email: string;
  isPlatformAdmin: boolean;
  emailConfirmed: boolean;
  disabled: boolean;
  createdAt: Date;
}

export function userView(u: User): UserView {
  return { id: u.id, email: u.email, isPlatformAdmin: u.isPlatformAdmin, emailConfirmed: u.emailConfirmedAt !== null, disabled: u.disabledAt !== null, createdAt: u.createdAt };
}

/** A login (never its password hash). */
@ApiSchema({ name: 'UserView' })
export class UserViewSchema implements UserView {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() isPlatformAdmin: boolean;
  @ApiProperty({ description: 'The owner of the address proved it (followed an e-mailed link); an unconfirmed login never blocks the owner from registering or resetting' }) emailConfirmed: boolean;
  @ApiProperty() disabled: boolean;
  @ApiProperty() createdAt: Date;
}

export const UserPage = PageOf(UserViewSchema, 'UserPage');

/** A member record linked to a login, and the data controller that holds it. */
export interface LinkedMember {
  id: string;
  controllerId: string;
}
