import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Equals, IsBoolean, IsEmail, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';

import { TextField } from '../../common/dto-fields';
import { PageQuery } from '../../common/pagination';
import { PhoneField } from '../../common/phone';
import { SIGNUP_STATUSES, type SignupStatus } from '../event-signup.entity';

/** The longest `utm_source`, `utm_medium` or `utm_campaign` kept with a signup (issue 22; the database's ck_event_signups_utm says the same). */
export const UTM_MAX_LENGTH = 100;

/** API.md: consent wherever a person gives it; `dataProcessing` must be true. */
export class ConsentDto {
  @ApiProperty({ enum: [true], description: 'Agreement to the processing of the data given, for this event' })
  @Equals(true, { message: 'dataProcessing must be true' })
  dataProcessing: true;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  contactByEmail?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  contactBySms?: boolean;

  @ApiPropertyOptional({ description: 'Texts by WhatsApp at `phone`, apart from SMS: confirmations and reminders go there when given (issue 24)' })
  @IsOptional()
  @IsBoolean()
  contactByWhatsapp?: boolean;

  @TextField(40, { optional: true, example: '2026-01' })
  noticeVersion?: string;
}

/**
 * A member signs up with just their token (and optionally a shift); a guest
 * gives name, e-mail, optional phone and consent. Whatever is sent, the
 * answer never says whether the e-mail belongs to someone known.
 */
export class CreateSignupDto {
  @ApiPropertyOptional({ description: 'A shift of the event, to volunteer for it instead of just attending' })
  @IsOptional()
  @IsUUID()
  shiftId?: string;

  @TextField(200, { optional: true, example: 'Rosa Quispe', min: 1 })
  name?: string;

  @ApiPropertyOptional({ example: 'rosa@example.org', description: 'Guest signups: where the confirmation and the cancel link go' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @PhoneField({
    description:
      'Where text notices go, with consent (`consent.contactBySms`, `consent.contactByWhatsapp`): E.164, or as typed — "987 654 321" is read as Peruvian; stored as +51987654321. An invalid number is a 400',
  })
  phone?: string;

  @ApiPropertyOptional({ enum: ['es', 'en'], default: 'es', description: 'Language of the e-mails (guests)' })
  @IsOptional()
  @IsIn(['es', 'en'])
  locale?: 'es' | 'en';

  @ApiPropertyOptional({ type: ConsentDto, description: 'Required for guests' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ConsentDto)
  consent?: ConsentDto;

  // Attribution (issue 22): where the signup came from.

  @ApiPropertyOptional({
    example: 'k7m2x9qa',
    maxLength: 64,
    description:
      'The `ref` of the promoter’s link (`/e/{id}?ref=…`): the signup is counted as that promoter’s referral while its promotion of this event is active. Any other value (another event’s ref, an ended or refused promotion’s, a made-up one) records nothing, and the answer is the same',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  ref?: string;

  @ApiPropertyOptional({ example: 'whatsapp', maxLength: UTM_MAX_LENGTH, description: 'The link’s `utm_source`, recorded as given' })
  @IsOptional()
  @IsString()
  @MaxLength(UTM_MAX_LENGTH)
  utmSource?: string;

  @ApiPropertyOptional({ example: 'social', maxLength: UTM_MAX_LENGTH, description: 'The link’s `utm_medium`, recorded as given' })
  @IsOptional()
  @IsString()
  @MaxLength(UTM_MAX_LENGTH)
  utmMedium?: string;

  @ApiPropertyOptional({ example: 'segunda-vuelta', maxLength: UTM_MAX_LENGTH, description: 'The link’s `utm_campaign`, recorded as given' })
  @IsOptional()
  @IsString()
  @MaxLength(UTM_MAX_LENGTH)
  utmCampaign?: string;

  @ApiPropertyOptional({
    type: Boolean,
    description:
      'Guests, with `ref`: also join the promoter’s list — your own record in the promoting organisation’s data, as an application to it, with your consent recorded there (the notice version of `consent`). The event’s hosts are not told. A ref that leads to no live promotion by an organisation does nothing',
  })
  @IsOptional()
  @IsBoolean()
  joinPromoter?: boolean;

  @ApiPropertyOptional({
    type: String,
    example: '2026-12',
    maxLength: 40,
    description: 'With joinPromoter: the version of the promoter’s privacy notice shown with the box (default: that of `consent`)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  joinNoticeVersion?: string;
}

export class UpdateSignupDto {
  @ApiProperty({ enum: ['attended', 'no_show', 'cancelled'], description: 'Organisers and event hosts: attended, no_show, cancelled; the person themselves: cancelled' })
  @IsIn(['attended', 'no_show', 'cancelled'])
  status: Extract<SignupStatus, 'attended' | 'no_show' | 'cancelled'>;
}

export class ManageTokenDto {
  @ApiProperty({ description: 'The secret from the signup answer or the confirmation e-mail’s link' })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'token is not a token this API issued' })
  token: string;
}

export class SignupQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: SIGNUP_STATUSES })
  @IsOptional()
  @IsIn(SIGNUP_STATUSES)
  status?: SignupStatus;

  @ApiPropertyOptional({ description: 'Only this shift' })
  @IsOptional()
  @IsUUID()
  shift?: string;
}
