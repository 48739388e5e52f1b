import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, MaxLength } from 'class-validator';
import { PasswordField } from '../../auth/password-policy';
import { PageOf } from '../../common/pagination';
import type { UserView } from '../users.service';

export class CreateUserDto {
  @ApiProperty({ example: 'rosa@vocesdelpueblo.pe' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @PasswordField()
  password: string;

  @ApiPropertyOptional({ description: 'Platform admins only' })
  @IsOptional()
  @IsBoolean()
  isPlatformAdmin?: boolean;
}

/** A login (never its password hash). */
@ApiSchema({ name: 'UserView' })
export class UserViewSchema implements UserView {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() isPlatformAdmin: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The member this login belongs to, if any' }) memberId: string | null;
  @ApiProperty() disabled: boolean;
  @ApiProperty() createdAt: Date;
}

export const UserPage = PageOf(UserViewSchema, 'UserPage');
