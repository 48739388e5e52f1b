import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, MaxLength } from 'class-validator';
import { PasswordField } from '../../auth/password-policy';

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
