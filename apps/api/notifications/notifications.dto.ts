import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { NOTIFICATION_KINDS, NOTIFICATION_STATUSES, type NotificationKind, type NotificationStatus } from '../../../libs/reminders';
import { Optional, PageQuery } from '../auth/auth.dto';

export class UpdatePreferencesDto {
  @ApiPropertyOptional({ description: 'Mails 7 and 1 days (the tenant’s offsets) before a due date.' })
  @Optional()
  @IsBoolean({ message: 'dueSoon must be true or false' })
  dueSoon?: boolean;

  @ApiPropertyOptional({ description: 'The day after the due date, then weekly while open.' })
  @Optional()
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({ description: 'Monday 08:00 summary of your open, due-soon and overdue tasks, per tenant.' })
  @Optional()
  @IsBoolean({ message: 'digest must be true or false' })
  digest?: boolean;

  @ApiPropertyOptional({ description: 'Admins: tasks overdue past the tenant’s escalation threshold. On unless turned off here.' })
  @Optional()
  @IsBoolean({ message: 'escalation must be true or false' })
  escalation?: boolean;

  @ApiPropertyOptional({ description: 'When a reviewer rejects a task you carry out.' })
  @Optional()
  @IsBoolean({ message: 'reviewRejected must be true or false' })
  reviewRejected?: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'Europe/Paris',
    description: 'Your time zone for the digest; null: the tenant’s.',
  })
  @IsOptional()
  @ValidateIf((_o: object, v: unknown) => v !== null)
  @IsString({ message: 'timezone must be an IANA time zone name or null' })
  @MaxLength(64, { message: 'timezone must be an IANA time zone name or null' })
  @Matches(/^[A-Za-z][A-Za-z0-9_+\-/]*$/, { message: 'timezone must be an IANA time zone name or null' })
  timezone?: string | null;
}

export class NotificationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: NOTIFICATION_STATUSES })
  @IsOptional()
  @IsIn(NOTIFICATION_STATUSES, { message: `status must be one of ${NOTIFICATION_STATUSES.join(', ')}` })
  status?: NotificationStatus;

  @ApiPropertyOptional({ enum: NOTIFICATION_KINDS })
  @IsOptional()
  @IsIn(NOTIFICATION_KINDS, { message: `kind must be one of ${NOTIFICATION_KINDS.join(', ')}` })
  kind?: NotificationKind;
}

export class ReminderSettingsDto {
  @ApiPropertyOptional({
    type: [Number],
    example: [7, 1],
    description:
      'Days before the due date a due-soon mail goes out: up to 5 distinct values from 0 (the day itself) to 60; [] turns due-soon mails off.',
  })
  @Optional()
  @IsArray({ message: 'reminderDays must be an array of whole numbers' })
  @ArrayMaxSize(5, { message: 'reminderDays takes at most 5 values' })
  @ArrayUnique({ message: 'reminderDays must not repeat a value' })
  @IsInt({ each: true, message: 'reminderDays must hold whole numbers from 0 to 60' })
  @Min(0, { each: true, message: 'reminderDays must hold whole numbers from 0 to 60' })
  @Max(60, { each: true, message: 'reminderDays must hold whole numbers from 0 to 60' })
  reminderDays?: number[];

  @ApiPropertyOptional({ example: 7, description: 'Days overdue after which the admins are told (1 to 365).' })
  @Optional()
  @IsInt({ message: 'escalationDays must be a whole number from 1 to 365' })
  @Min(1, { message: 'escalationDays must be a whole number from 1 to 365' })
  @Max(365, { message: 'escalationDays must be a whole number from 1 to 365' })
  escalationDays?: number;

  @ApiPropertyOptional({
    example: 'Europe/Paris',
    maxLength: 64,
    description:
      'The tenant\'s time zone, an IANA name the server knows: it decides "today" for every duty and names the zone of report times. Every subscription of the tenant is set to it (even when it does not change).',
  })
  @Optional()
  @IsString({ message: 'timeZone must be an IANA time zone name' })
  @MaxLength(64, { message: 'timeZone must be an IANA time zone name' })
  @Matches(/^[A-Za-z][A-Za-z0-9_+\-/]*$/, { message: 'timeZone must be an IANA time zone name' })
  timeZone?: string;
}

export class UnsubscribeQuery {
  @ApiProperty({ description: 'The token from the List-Unsubscribe link of a mail.' })
  @IsString({ message: 'token must be the token of an unsubscribe link' })
  @IsNotEmpty({ message: 'token must be the token of an unsubscribe link' })
  @MaxLength(200, { message: 'token must be the token of an unsubscribe link' })
  token!: string;
}
