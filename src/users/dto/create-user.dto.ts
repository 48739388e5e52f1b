import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, MaxLength } from 'class-validator';
import { PageOf } from '../../common/pagination';
import type { UserView } from '../users.service';

/**
 * A staff login, created by a platform admin. Nobody chooses a password for
 * someone else: the person gets an invitation at this address and sets it.
 */
export class CreateUserDto {
  @ApiProperty({ example: 'rosa@vocesdelpueblo.pe' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiPropertyOptional({ description: 'Make the new login a platform admin' })
  @IsOptional()
  @IsBoolean()
  isPlatformAdmin?: boolean;

  @ApiPropertyOptional({ enum: ['es', 'en'], description: 'Language of the invitation e-mail (default es)' })
  @IsOptional()
  @IsIn(['es', 'en'])
  locale?: 'es' | 'en';
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
