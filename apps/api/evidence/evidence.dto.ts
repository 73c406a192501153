import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { DESCRIPTION_MAX, NOTE_MAX, URL_MAX } from '../../../libs/evidence';
import { Optional } from '../auth/auth.dto';

export class LinkEvidenceDto {
  @ApiProperty({ enum: ['link'] })
  @IsIn(['link'])
  kind!: 'link';

  @ApiProperty({
    maxLength: URL_MAX,
    example: 'https://intranet.example.com/backups/2026-05-restore-test',
    description: 'http:// or https:// only.',
  })
  @IsString()
  @MaxLength(URL_MAX)
  url!: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX })
  @Optional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  description?: string;
}

export class NoteEvidenceDto {
  @ApiProperty({ enum: ['note'] })
  @IsIn(['note'])
  kind!: 'note';

  @ApiProperty({
    maxLength: NOTE_MAX,
    example: 'Restore test done on 2026-05-12 by the on-call engineer; 14 mailboxes restored in 22 minutes.',
  })
  @IsString()
  @MaxLength(NOTE_MAX)
  text!: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX })
  @Optional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  description?: string;
}

/** For OpenAPI: the multipart form. */
export class FileEvidenceForm {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'One file. Its media type is sniffed from its bytes; the name is kept as metadata only.',
  })
  file!: unknown;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX, description: 'Before or after the file part.' })
  description?: string;
}

export class EvidenceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) taskId!: string;
  @ApiProperty({ enum: ['file', 'link', 'note'] }) kind!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The sanitised client file name (metadata only).' }) fileName!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Sniffed from the bytes.' }) mediaType!: string | null;
  @ApiProperty({ nullable: true, type: Number }) size!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'sha256 of the bytes, hex.' }) sha256!: string | null;
  @ApiProperty({ nullable: true, type: String }) url!: string | null;
  @ApiProperty({ nullable: true, type: String }) text!: string | null;
  @ApiProperty({ format: 'uuid' }) submittedBy!: string;
  @ApiProperty({ format: 'date-time' }) submittedAt!: string;
}
