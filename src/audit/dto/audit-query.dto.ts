import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';

export class AuditQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'Organisation id (its descendants included)' })
  @IsOptional()
  @IsUUID()
  organisation?: string;

  @ApiPropertyOptional({ example: 'organisation' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z_]+$/)
  entity?: string;

  @ApiPropertyOptional({ description: 'User id of the actor' })
  @IsOptional()
  @IsUUID()
  actor?: string;
}
