import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export class VerifyQuery {
  @ApiPropertyOptional({
    pattern: '^[0-9a-f]{64}$',
    description: 'A head hash kept outside Dutybook earlier: the chain must still contain it.',
  })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'expectedHead must be 64 hexadecimal characters (a headHash from an earlier verify)' })
  expectedHead?: string;
}

class AuditEntityDto {
  @ApiProperty({ example: 'membership' }) type!: string;
  @ApiProperty() id!: string;
}

export class AuditEventDto {
  @ApiProperty({ description: 'Position in the tenant chain, from 1, without gaps.' }) seq!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) actorId!: string | null;
  @ApiProperty({ example: 'member.role_changed' }) action!: string;
  @ApiProperty({ type: AuditEntityDto }) entity!: AuditEntityDto;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty({ description: 'hash of the previous event (64 zeros for the first).' }) prevHash!: string;
  @ApiProperty({ description: 'sha256(prevHash || canonical JSON of the event), hex.' }) hash!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto], description: 'Newest first.' }) items!: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class AuditVerificationDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ description: 'Events in the chain.' }) count!: number;
  @ApiProperty({ description: 'seq of the last event.' }) headSeq!: number;
  @ApiProperty({ description: 'hash of the last event: keep it outside Dutybook, pass it back as expectedHead.' }) headHash!: string;
  @ApiPropertyOptional({ description: 'The first event that does not check.' }) firstBrokenSeq?: number;
  @ApiPropertyOptional({
    enum: ['hash_mismatch', 'prev_hash_mismatch', 'missing_row', 'unexpected_row', 'head_mismatch', 'expected_head_not_found'],
  })
  reason?: string;
  @ApiPropertyOptional({ description: 'Only with expectedHead: whether the chain still contains it.' }) expectedHeadFound?: boolean;
}
