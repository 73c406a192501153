import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PHASES } from '../../../libs/catalog';

export class CatalogVersionParams {
  @ApiProperty({ example: 'ovhcloud-private-exchange' })
  @MaxLength(64)
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'key must be lowercase letters, digits and dashes' })
  key!: string;

  @ApiProperty({ example: '2024-06-26', description: 'A version, or `latest`.' })
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'version must be letters, digits, dots, dashes or underscores' })
  version!: string;
}

class RaciDto {
  @ApiProperty({ example: 'RA', description: 'Letters of R, A, C, I in that order; "" for none.' })
  customer!: string;
  @ApiProperty({ example: 'I' })
  provider!: string;
}

export class ActivityDto {
  @ApiProperty({ example: 'PX-01' }) key!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ example: '1.1' }) section!: string;
  @ApiProperty({ enum: PHASES }) phase!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'P3M',
    description: 'once, on_event, P1M, P3M, P6M, P1Y, or once+<period>; null for provider duties.',
  })
  cadence!: string | null;
  @ApiProperty({ type: RaciDto }) raci!: RaciDto;
  @ApiProperty({ example: 'RAI', description: 'The published cell, before it was split between parties.' }) raw!: string;
  @ApiProperty({ description: 'False where the split of `raw` is a reading, not a certainty.' }) certain!: boolean;
  @ApiProperty({ enum: ['table', 'reading'] }) source!: string;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ description: 'A tenant may mark this duty not applicable.' }) optional!: boolean;
  @ApiProperty({ description: 'The customer holds R or A.' }) customerDuty!: boolean;
}

class SectionDto {
  @ApiProperty({ example: '1.1' }) key!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: PHASES }) phase!: string;
  @ApiProperty({ type: [ActivityDto] }) activities!: ActivityDto[];
}

class CountsDto {
  @ApiProperty() activities!: number;
  @ApiProperty({ description: 'Activities where the customer holds R or A.' }) customerDuties!: number;
  @ApiProperty({ description: 'Provider duties where the customer is C or I.' }) providerCommitments!: number;
  @ApiProperty({ description: 'Activities whose party split is uncertain.' }) uncertain!: number;
}

export class CatalogVersionDto {
  @ApiProperty() key!: string;
  @ApiProperty() name!: string;
  @ApiProperty() provider!: string;
  @ApiProperty() version!: string;
  @ApiProperty({ format: 'date' }) publishedOn!: string;
  @ApiProperty() sourceTitle!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) sourceUrl!: string | null;
  @ApiProperty({ description: 'sha256 of the canonical catalog content; also the ETag.' }) contentHash!: string;
  @ApiProperty({ enum: ['global', 'tenant'], description: '`tenant`: private to the tenant that imported it.' }) scope!: string;
  @ApiProperty({ description: 'Load order within the catalog; the highest is `latest`.' }) seq!: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The copy of the source in the repository.' }) sourcePath!:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'OVHcloud' }) publisher!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'CC BY-NC-SA 4.0' }) license!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'When the source was read.' }) retrievedOn!:
    string | null;
  @ApiProperty({ type: [String] }) parties!: string[];
  @ApiProperty({ type: CountsDto }) counts!: CountsDto;
  @ApiProperty({ type: [SectionDto] }) sections!: SectionDto[];
}

class CatalogVersionSummaryDto {
  @ApiProperty() version!: string;
  @ApiProperty({ description: 'Load order within the catalog (1, 2, ...); the highest is `latest`.' }) seq!: number;
  @ApiProperty({ description: 'This is the version `latest` answers and new subscriptions get.' }) latest!: boolean;
  @ApiProperty({ format: 'date' }) publishedOn!: string;
  @ApiProperty() contentHash!: string;
  @ApiProperty() activityCount!: number;
  @ApiProperty() customerDutyCount!: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Where the source was read (URL).' }) sourceUrl!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) publisher!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) license!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date' }) retrievedOn!: string | null;
}

export class CatalogSummaryDto {
  @ApiProperty() key!: string;
  @ApiProperty() name!: string;
  @ApiProperty() provider!: string;
  @ApiProperty({ enum: ['global', 'tenant'] }) scope!: string;
  @ApiProperty({ type: [CatalogVersionSummaryDto] }) versions!: CatalogVersionSummaryDto[];
}

export class CatalogListDto {
  @ApiProperty({ type: [CatalogSummaryDto] }) items!: CatalogSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Always null: every catalog fits one page.' }) nextCursor!: null;
}

export class CatalogKeyParams {
  @ApiProperty({ example: 'ovhcloud-private-exchange' })
  @MaxLength(64)
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'key must be lowercase letters, digits and dashes' })
  key!: string;
}

const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const VERSION_MESSAGE = 'must be a version (letters, digits, dots, dashes or underscores) or latest';

export class CatalogDiffQuery {
  @ApiProperty({ example: '2024-06-26', description: 'The version compared from, or `latest`.' })
  @IsString()
  @MaxLength(64)
  @Matches(VERSION_PATTERN, { message: `from ${VERSION_MESSAGE}` })
  from!: string;

  @ApiProperty({ example: '2024-06-25', description: 'The version compared to, or `latest`.' })
  @IsString()
  @MaxLength(64)
  @Matches(VERSION_PATTERN, { message: `to ${VERSION_MESSAGE}` })
  to!: string;
}

/** Options of a tenant import (the CLI's flags), all optional: the file says the rest. */
export class CatalogImportQuery {
  @ApiPropertyOptional({ description: 'Preview: read and check the file, store nothing.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;

  @ApiPropertyOptional({ example: 'acme-hosting' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'key must be lowercase letters, digits and dashes (2-64)' })
  key?: string;

  @ApiPropertyOptional({ example: '2025-01-15' })
  @IsOptional()
  @Matches(VERSION_PATTERN, { message: 'version must be letters, digits, dots, dashes or underscores' })
  version?: string;

  @ApiPropertyOptional({ example: 'Acme Hosting' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  provider?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Publication date when the file has none.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'publishedOn must be a date YYYY-MM-DD' })
  publishedOn?: string;
}

class ProblemDto {
  @ApiPropertyOptional() line?: number;
  @ApiPropertyOptional() cell?: string;
  @ApiProperty() message!: string;
}

export class CatalogImportSummaryDto {
  @ApiProperty() key!: string;
  @ApiProperty() version!: string;
  @ApiProperty() activities!: number;
  @ApiProperty() customerDuties!: number;
  @ApiProperty() providerCommitments!: number;
  @ApiProperty() uncertain!: number;
  @ApiProperty({ type: [ProblemDto] }) warnings!: ProblemDto[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: 'How each activity got its key (source, mapping, similarity with score, new).',
  })
  matches!: unknown[];
  @ApiProperty({ enum: ['loaded', 'unchanged', 'dry-run'] }) stored!: string;
}

class ChangeDto {
  @ApiProperty({ nullable: true, type: String }) before!: string | null;
  @ApiProperty({ nullable: true, type: String }) after!: string | null;
}

export class ActivityChangesDto {
  @ApiPropertyOptional({ type: ChangeDto }) title?: ChangeDto;
  @ApiPropertyOptional({ type: ChangeDto }) section?: ChangeDto;
  @ApiPropertyOptional({ type: ChangeDto }) phase?: ChangeDto;
  @ApiPropertyOptional({ type: ChangeDto, description: 'null for a provider duty.' }) cadence?: ChangeDto;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ChangeDto' },
    description: 'Per party whose letters changed: {customer: {before: "RA", after: ""}}.',
  })
  raci?: Record<string, ChangeDto>;
}

class DiffActivityDto {
  @ApiProperty() key!: string;
  @ApiProperty() title!: string;
  @ApiProperty() section!: string;
  @ApiProperty({ enum: PHASES }) phase!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) raci!: Record<string, string>;
}

class ChangedActivityDto {
  @ApiProperty() fromKey!: string;
  @ApiProperty() toKey!: string;
  @ApiProperty({ description: 'Match score 0..1 (1 for the same key and title).' }) score!: number;
  @ApiProperty({ enum: ['key', 'similarity'] }) by!: string;
  @ApiProperty({ type: ActivityChangesDto }) changes!: ActivityChangesDto;
}

export class CatalogDiffDto {
  @ApiProperty() key!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: [DiffActivityDto] }) added!: DiffActivityDto[];
  @ApiProperty({ type: [DiffActivityDto] }) removed!: DiffActivityDto[];
  @ApiProperty({ type: [ChangedActivityDto] }) changed!: ChangedActivityDto[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Every pair taken as the same activity, with its score.' })
  matches!: unknown[];
}

/** The same parameters under /tenants/:tenantId (the tenant guard checks the id). */
export class TenantCatalogKeyParams extends CatalogKeyParams {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  tenantId!: string;
}

export class TenantCatalogVersionParams extends CatalogVersionParams {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  tenantId!: string;
}
