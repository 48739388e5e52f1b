import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MIN_LENGTH } from '../../auth/passwords';

export class CreateUserDto {
  @ApiProperty({ example: 'rosa@vocesdelpueblo.pe' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, example: 'a long passphrase here' })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional({ description: 'Platform admins only' })
  @IsOptional()
  @IsBoolean()
  isPlatformAdmin?: boolean;
}
