import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, MaxLength } from 'class-validator';

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
