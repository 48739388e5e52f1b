import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  Equals,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

import { DATE_PATTERN, SLUG_PATTERN, TextField, UUID_PATTERN } from '../../common/dto-fields';
import { PageQuery } from '../../common/pagination';
import { PhoneField } from '../../common/phone';
import { LANGUAGES, type PreferredLanguage } from '../member.entity';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from '../membership.entity';

/** Statuses a membership may start in when created by hand (imports may carry any, for history). */
export const INITIAL_STATUSES = ['applied', 'active'] as const satisfies readonly MembershipStatus[];
export const LANGUAGE_CODE = /^[a-z]{2,3}$/;

const trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** A person's name: required on create; on update it may be left out but never cleared. */
const NameField = (example: string, optional = false) =>
  applyDecorators(
    optional ? ApiPropertyOptional({ example, maxLength: 100 }) : ApiProperty({ example, maxLength: 100 }),
    ...(optional ? [ValidateIf((_o: object, v: unknown) => v !== undefined)] : []),
    trim(),
    IsString(),
    MinLength(1),
    MaxLength(100),
  );

const EmailField = (required: boolean) =>
  applyDecorators(
    required ? ApiProperty({ example: 'rosa.quispe@example.org' }) : ApiPropertyOptional({ example: 'rosa.quispe@example.org', nullable: true }),
    ...(required ? [] : [IsOptional()]),
    trim(),
    IsEmail({}, { message: 'email must be an e-mail address' }),
    MaxLength(254),
  );

const DateField = (name: string, description?: string) =>
  applyDecorators(ApiPropertyOptional({ example: '2026-03-01', nullable: true, description }), IsOptional(), Matches(DATE_PATTERN, { message: `${name} must be a date YYYY-MM-DD` }));

/** The person-level fields, shared by creation, update and the public application. */
class PersonFields {
  @PhoneField({ nullable: true })
  phone?: string | null;

  @TextField(100, { optional: true, example: 'Cusco' })
  region?: string | null;

  @TextField(100, { optional: true, example: 'Wanchaq' })
  locality?: string | null;

  @ApiPropertyOptional({ example: ['es', 'qu'], description: 'ISO 639 codes' })
  @ValidateIf((_o: object, v: unknown) => v !== undefined)
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique()
  @Matches(LANGUAGE_CODE, { each: true, message: 'languages must be ISO 639 codes such as es, qu, ay' })
  languages?: string[];

  @ApiPropertyOptional({ enum: LANGUAGES, default: 'es', description: 'Language of the e-mails the person receives' })
  @ValidateIf((_o: object, v: unknown) => v !== undefined)
  @IsIn(LANGUAGES)
  preferredLanguage?: PreferredLanguage;
}

/** API.md "Shapes worth fixing now": the same wherever a person gives consent. */
export class ConsentDto {
  @ApiProperty({ enum: [true], description: 'Must be true: nothing is recorded without consent to process the data' })
  @Equals(true, { message: 'dataProcessing must be true: an application cannot be processed without consent' })
  dataProcessing: true;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  contactByEmail?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  contactBySms?: boolean;

  @ApiPropertyOptional({ default: false, description: 'WhatsApp at the phone number, apart from SMS (issue 24)' })
  @IsOptional()
  @IsBoolean()
  contactByWhatsapp?: boolean;

  @TextField(40, { optional: true, example: '2026-01' })
  noticeVersion?: string;
}

export class NewMembershipDto {
  @ApiProperty()
  @IsUUID()
  organisationId: string;

  @ApiPropertyOptional({ enum: INITIAL_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(INITIAL_STATUSES)
  status?: (typeof INITIAL_STATUSES)[number];

  @TextField(100, { optional: true, example: 'delegada distrital' })
  title?: string | null;

  @DateField('joinedOn', 'Defaults to today for an active membership')
  joinedOn?: string | null;
}

export class CreateMemberDto extends PersonFields {
  @NameField('Rosa')
  givenName: string;

  @NameField('Quispe Mamani')
  familyName: string;

  @EmailField(false)
  email?: string | null;

  @ApiProperty({ type: [NewMembershipDto], description: 'At least one, each in an organisation where you manage members' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => NewMembershipDto)
  memberships: NewMembershipDto[];

  @ApiPropertyOptional({ type: ConsentDto, description: 'Consent the person gave you (recorded for your organisations)' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConsentDto)
  consent?: ConsentDto;
}

export class UpdateMemberDto extends PersonFields {
  @NameField('Rosa', true)
  givenName?: string;

  @NameField('Quispe Mamani', true)
  familyName?: string;

  @EmailField(false)
  email?: string | null;
}

/** The public membership form. */
export class ApplicationDto extends PersonFields {
  @NameField('Rosa')
  givenName: string;

  @NameField('Quispe Mamani')
  familyName: string;

  @EmailField(true)
  email: string;

  @ApiProperty({ type: ConsentDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ConsentDto)
  consent: ConsentDto;
}

export class MemberQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'Organisation id or slug: its members and those of its sub-organisations' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(new RegExp(`${UUID_PATTERN.source}|${SLUG_PATTERN.source}`, 'i'), { message: 'organisation must be an organisation id or slug' })
  organisation?: string;

  @ApiPropertyOptional({ enum: MEMBERSHIP_STATUSES, description: 'Members with a membership in this status (inside the organisation filter, if any)' })
  @IsOptional()
  @IsIn(MEMBERSHIP_STATUSES)
  status?: MembershipStatus;

  @TextField(100, { optional: true, example: 'Cusco' })
  region?: string;

  @ApiPropertyOptional({ description: 'Name or e-mail, typo-tolerant (each word of 2+ characters must match)', example: 'atencio' })
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  @Matches(/[^\s]{2}/, { message: 'q must contain a word of at least 2 characters' })
  q?: string;
}

export class MembershipQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: MEMBERSHIP_STATUSES })
  @IsOptional()
  @IsIn(MEMBERSHIP_STATUSES)
  status?: MembershipStatus;
}

export class CreateMembershipDto {
  @ApiProperty({ description: 'A member you can already see (in your organisations)' })
  @IsUUID()
  memberId: string;

  @ApiPropertyOptional({ enum: INITIAL_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(INITIAL_STATUSES)
  status?: (typeof INITIAL_STATUSES)[number];

  @TextField(100, { optional: true, example: 'secretaria de prensa' })
  title?: string | null;

  @DateField('joinedOn', 'Defaults to today for an active membership')
  joinedOn?: string | null;

  @DateField('duesPaidUntil')
  duesPaidUntil?: string | null;
}

export class UpdateMembershipDto {
  @ApiPropertyOptional({
    enum: MEMBERSHIP_STATUSES,
    description: 'Allowed transitions: applied→active|resigned; active→suspended|lapsed|resigned|expelled; suspended→active|resigned|expelled; lapsed→active|resigned',
  })
  @IsOptional()
  @IsIn(MEMBERSHIP_STATUSES)
  status?: MembershipStatus;

  @TextField(100, { optional: true, example: 'delegado' })
  title?: string | null;

  @DateField('duesPaidUntil')
  duesPaidUntil?: string | null;

  @DateField('endedOn', 'Set automatically (today) when the membership ends; may be corrected')
  endedOn?: string | null;
}

export class EraseSelfDto {
  @ApiProperty({ description: 'Your current password: erasure cannot be undone' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}
