import { ApiProperty } from '@nestjs/swagger';

import { RoleAssignmentViewSchema } from '../access/access.views';
import { UserViewSchema } from '../users/users.views';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

/** What every "send me an e-mail" form answers, whether or not the address is known. */
export class AcceptedDto {
  @ApiProperty({ example: 'accepted' })
  status: 'accepted';

  @ApiProperty({ example: 'If the address is known, an e-mail is on its way.' })
  message: string;
}

export class TokenPairDto implements TokenPair {
  @ApiProperty({ description: 'JWT, valid for 15 minutes' })
  accessToken: string;

  @ApiProperty({ description: 'Opaque, single use: exchange it at /auth/refresh' })
  refreshToken: string;

  @ApiProperty({ example: 900 })
  expiresIn: number;

  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';
}

export class LinkedMemberRef {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'The data controller (top-level organisation) that holds this record' }) controllerId: string;
}

/** GET /auth/me: the login, the member records linked to it and the roles it holds. */
export class MeView {
  @ApiProperty({ type: UserViewSchema }) user: UserViewSchema;
  @ApiProperty({ type: [LinkedMemberRef], description: 'Member records linked to this login: at most one per data controller' }) members: LinkedMemberRef[];
  @ApiProperty({ type: [RoleAssignmentViewSchema] }) roles: RoleAssignmentViewSchema[];
}
