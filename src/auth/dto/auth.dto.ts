import { ApiProperty } from '@nestjs/swagger';
import { RoleAssignmentViewSchema } from '../../access/dto/grant-role.dto';
import { UserViewSchema } from '../../users/dto/create-user.dto';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { PasswordField } from '../password-policy';

export class LoginDto {
  @ApiProperty({ example: 'coordinator@venceremos.pe' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'a long passphrase here' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  refreshToken: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(256)
  currentPassword: string;

  @PasswordField()
  newPassword: string;
}

export class EmailDto {
  @ApiProperty({ example: 'rosa@example.org' })
  @IsEmail()
  @MaxLength(254)
  email: string;
}

export class TokenPasswordDto {
  @ApiProperty({ description: 'The token from the e-mail link' })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  token: string;

  @PasswordField()
  password: string;
}

/** Following an invitation: the password is a new one, or that of the login the address already has (checked by the service). */
export class AcceptInvitationDto {
  @ApiProperty({ description: 'The token from the e-mail link' })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  token: string;

  @ApiProperty({ maxLength: 256, description: 'A new password (at least 12 characters, not a common one), or the password of the login this address already has' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}

export class AcceptedDto {
  @ApiProperty({ example: 'accepted' })
  status: 'accepted';

  @ApiProperty({ example: 'If the address is known, an e-mail is on its way.' })
  message: string;
}

export class TokenPairDto {
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
