import { ApiProperty } from '@nestjs/swagger';
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
