import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, Validate } from 'class-validator';
import { PHASES, type Phase } from '../../../libs/catalog';
import { UUID_PATTERN } from '../../../libs/core';
import { TASK_STATUSES, type TaskStatus } from '../../../libs/tasks';
import { IsoDateConstraint, TaskListQuery } from '../tasks/tasks.dto';

const STATUSES: readonly TaskStatus[] = TASK_STATUSES;

/** What a pack or the status report covers. Every field narrows; none: the whole tenant. */
export class PackFilterDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'One subscription (catalog).' })
  @IsOptional()
  @Matches(UUID_PATTERN, { message: 'subscriptionId must be a UUID' })
  subscriptionId?: string;

  @ApiPropertyOptional({ enum: PHASES })
  @IsOptional()
  @IsIn(PHASES, { message: `phase must be one of ${PHASES.join(', ')}` })
  phase?: Phase;

  @ApiPropertyOptional({ example: '3.1.1' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  section?: string;

  @ApiPropertyOptional({ enum: STATUSES, isArray: true })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value))
  @IsArray({ message: 'status must be a list of statuses' })
  @ArrayMaxSize(STATUSES.length)
  @IsIn(STATUSES, { each: true, message: `status must be among ${STATUSES.join(', ')}` })
  status?: TaskStatus[];

  @ApiPropertyOptional({ format: 'date', description: 'Occurrences whose period reaches this day or later.' })
  @IsOptional()
  @Validate(IsoDateConstraint)
  periodFrom?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Occurrences whose period starts on this day or earlier.' })
  @IsOptional()
  @Validate(IsoDateConstraint)
  periodTo?: string;

  @ApiPropertyOptional({ type: [String], description: 'Only these tasks (at most 1000).' })
  @IsOptional()
  @IsArray({ message: 'tasks must be a list of task ids' })
  @ArrayMaxSize(1000)
  @Matches(UUID_PATTERN, { each: true, message: 'each task must be a UUID' })
  tasks?: string[];
}

/** The status report takes the same filter in the query string (no task list there). */
export class ReportQuery extends OmitType(PackFilterDto, ['tasks'] as const) {}

/** The task list's filters, without paging: an export has every matching row. */
export class TaskExportQuery extends OmitType(TaskListQuery, ['limit', 'cursor'] as const) {}

export class CreateFeedDto {
  @ApiPropertyOptional({ enum: ['assigned', 'tenant'], default: 'assigned', description: '`tenant` (every open task): admins only.' })
  @IsOptional()
  @IsIn(['assigned', 'tenant'], { message: 'scope must be assigned or tenant' })
  scope?: 'assigned' | 'tenant';
}
