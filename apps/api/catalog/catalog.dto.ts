import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches, MaxLength } from 'class-validator';
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
  @ApiProperty({ type: [String] }) parties!: string[];
  @ApiProperty({ type: CountsDto }) counts!: CountsDto;
  @ApiProperty({ type: [SectionDto] }) sections!: SectionDto[];
}

class CatalogVersionSummaryDto {
  @ApiProperty() version!: string;
  @ApiProperty({ format: 'date' }) publishedOn!: string;
  @ApiProperty() contentHash!: string;
  @ApiProperty() activityCount!: number;
  @ApiProperty() customerDutyCount!: number;
}

class CatalogSummaryDto {
  @ApiProperty() key!: string;
  @ApiProperty() name!: string;
  @ApiProperty() provider!: string;
  @ApiProperty({ type: [CatalogVersionSummaryDto] }) versions!: CatalogVersionSummaryDto[];
}

export class CatalogListDto {
  @ApiProperty({ type: [CatalogSummaryDto] }) items!: CatalogSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Always null: every catalog fits one page.' }) nextCursor!: null;
}
