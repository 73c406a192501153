import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  Validate,
  ValidateIf,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { PHASES, type Phase } from '../../../libs/catalog';
import { UUID_PATTERN } from '../../../libs/core';
import { Optional, PageQuery } from '../auth/auth.dto';
import {
  isIsoDate,
  isTimeZone,
  PATCHABLE_STATUSES,
  REVIEW_DECISIONS,
  TASK_STATUSES,
  type PatchableStatus,
  type ReviewDecision,
  type TaskStatus,
} from '../../../libs/tasks';

@ValidatorConstraint({ name: 'isoDate' })
export class IsoDateConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isIsoDate(value);
  }
  defaultMessage(): string {
    return '$property must be a real date YYYY-MM-DD';
  }
}

@ValidatorConstraint({ name: 'timeZone' })
class TimeZoneConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isTimeZone(value);
  }
  defaultMessage(): string {
    return '$property must be an IANA time zone such as Europe/Paris';
  }
}

export class SubscribeDto {
  @ApiProperty({ example: 'ovhcloud-private-exchange' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'catalogKey must be a catalog key (GET /api/v1/catalogs)' })
  catalogKey!: string;

  @ApiPropertyOptional({ description: 'Default: the latest version.' })
  @Optional()
  @IsString()
  @MaxLength(64)
  version?: string;

  @ApiProperty({ format: 'date', example: '2026-01-01', description: 'Anchor of every recurring duty.' })
  @Validate(IsoDateConstraint)
  startsOn!: string;

  @ApiPropertyOptional({ enum: PHASES, default: 'operations' })
  @Optional()
  @IsIn(PHASES, { message: `phase must be one of ${PHASES.join(', ')}` })
  phase?: Phase;

  @ApiPropertyOptional({
    example: 'Europe/Paris',
    description:
      "IANA time zone in which the subscription's days start. Default: the tenant's (reminder settings' timeZone); changing the tenant's zone sets it on every subscription.",
  })
  @Optional()
  @Validate(TimeZoneConstraint)
  timezone?: string;
}

export class ChangePhaseDto {
  @ApiProperty({ enum: PHASES })
  @IsIn(PHASES, { message: `phase must be one of ${PHASES.join(', ')}` })
  phase!: Phase;
}

export class TenantParam {
  @IsString()
  tenantId!: string;
}

export class SubscriptionParams extends TenantParam {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  id!: string;
}

export class TaskParams extends TenantParam {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  taskId!: string;
}

/** Filters plus `limit` and `cursor` (PageQuery). */
export class TaskListQuery extends PageQuery {
  @ApiPropertyOptional({
    type: String,
    description: `Comma-separated statuses among ${TASK_STATUSES.join(', ')}.`,
    example: 'todo,in_progress',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value))
  @IsIn(TASK_STATUSES, { each: true, message: `status must be among ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus[];

  @ApiPropertyOptional({ enum: PHASES })
  @IsOptional()
  @IsIn(PHASES, { message: `phase must be one of ${PHASES.join(', ')}` })
  phase?: Phase;

  @ApiPropertyOptional({ example: '3.1.1' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  section?: string;

  @ApiPropertyOptional({ description: 'A user id, or `none` for unassigned tasks.' })
  @IsOptional()
  @Matches(/^(none|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, { message: 'assigneeId must be a user id or none' })
  assigneeId?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @Validate(IsoDateConstraint)
  dueBefore?: string;

  @ApiPropertyOptional({ description: 'Words to find in the duty title.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Matches(UUID_PATTERN, { message: 'subscriptionId must be a UUID' })
  subscriptionId?: string;

  @ApiPropertyOptional({ description: 'Tasks of the subscription to this catalog.', example: 'ovhcloud-private-exchange' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'catalogKey must be a catalog key (GET /api/v1/catalogs)' })
  catalogKey?: string;

  @ApiPropertyOptional({ description: "Tasks of subscriptions to this provider's catalogs (case does not matter).", example: 'OVHcloud' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  provider?: string;
}

/** `?toVersion=`: the version of the subscription's catalog to move to. */
export class UpgradeQuery {
  @ApiProperty({ example: '2024-06-25', description: "A version of the subscription's catalog, newer than its current one." })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'toVersion must be a catalog version (GET /api/v1/catalogs/:key/versions)' })
  toVersion!: string;
}

export class UpdateTaskDto {
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'null unassigns.' })
  @Optional()
  @ValidateIf((_o, v) => v !== null)
  @Matches(UUID_PATTERN, { message: 'assigneeId must be a user id or null' })
  assigneeId?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true })
  @Optional()
  @ValidateIf((_o, v) => v !== null)
  @Validate(IsoDateConstraint)
  dueDate?: string | null;

  @ApiPropertyOptional({ enum: PATCHABLE_STATUSES })
  @Optional()
  @IsIn(PATCHABLE_STATUSES, {
    message: `status must be ${PATCHABLE_STATUSES.slice(0, -1).join(', ')} or ${PATCHABLE_STATUSES.at(-1)} (complete and review have their own endpoints)`,
  })
  status?: PatchableStatus;

  @ApiPropertyOptional({ description: 'Why the duty is not applicable.' })
  @Optional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class CompleteDto {
  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class ReviewDto {
  @ApiProperty({ enum: REVIEW_DECISIONS })
  @IsIn(REVIEW_DECISIONS, { message: `decision must be ${REVIEW_DECISIONS.join(' or ')}` })
  decision!: ReviewDecision;

  @ApiPropertyOptional({ description: 'Required to reject.' })
  @Optional()
  @IsString()
  @MaxLength(4000)
  comment?: string;
}

export class LogEventDto {
  @ApiProperty({ format: 'date' })
  @Validate(IsoDateConstraint)
  occurredOn!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  @Matches(/\S/, { message: 'description must not be blank' })
  description!: string;
}
