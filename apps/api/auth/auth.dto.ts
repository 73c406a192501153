import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsDate,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { ROLES, type Role } from '../../../libs/core';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../../libs/tenancy';

const NAME_MAX = 200;

/** Optional, but never null: null is checked (and refused) like any other wrong value. */
export const Optional = (): PropertyDecorator => ValidateIf((_o: object, value: unknown) => value !== undefined);

/** ISO-8601 strings become Dates; anything else (numbers, booleans) stays as is and fails @IsDate. */
export const ToDate = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? new Date(value) : value));

export class SignupDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString()
  @MinLength(PASSWORD_MIN, { message: `password must be at least ${PASSWORD_MIN} characters` })
  @MaxLength(PASSWORD_MAX)
  password!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @ApiProperty({ example: 'Analytical Engines Ltd', description: 'The organisation (tenant) created with the account.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX)
  @Matches(/\S/, { message: 'organization must not be blank' })
  organization!: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class RefreshDto {
  @ApiPropertyOptional({ description: 'API clients: the token to spend. The console sends none and uses its session cookie.' })
  @Optional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refreshToken?: string;
}

export class LogoutDto extends RefreshDto {}

export class CreateTenantDto {
  @ApiProperty({ example: 'Analytical Engines Ltd' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;
}

export class RenameTenantDto {
  @ApiProperty({ example: 'Analytical Engines Ltd', maxLength: NAME_MAX })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;
}

export class DeleteTenantDto {
  @ApiProperty({ description: 'The tenant’s current name, typed again: the confirmation that this tenant is meant.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX)
  confirmName!: string;
}

export class InvitationIdParam {
  /** Checked by the tenant guard (a bad one is 404 TENANT_NOT_FOUND). */
  @ApiProperty({ format: 'uuid' })
  @IsString()
  tenantId!: string;

  @ApiProperty({ format: 'uuid' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'invitationId must be a UUID' })
  invitationId!: string;
}

export class InviteDto {
  @ApiProperty({ example: 'auditor@firm.example' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role!: Role;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the membership ends (e.g. an audit engagement).' })
  @Optional()
  @ToDate()
  @IsDate({ message: 'expiresAt must be an ISO-8601 date-time' })
  expiresAt?: Date;
}

export class AcceptInvitationDto {
  @ApiProperty({ description: 'The token from the invitation link.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;

  @ApiPropertyOptional({ description: 'Needed when the invitation creates the account.' })
  @Optional()
  @IsString()
  @MaxLength(NAME_MAX)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ description: 'Needed when the invitation creates the account.' })
  @Optional()
  @IsString()
  @MinLength(PASSWORD_MIN, { message: `password must be at least ${PASSWORD_MIN} characters` })
  @MaxLength(PASSWORD_MAX)
  password?: string;
}

export class UpdateMemberDto {
  @ApiPropertyOptional({ enum: ROLES })
  @Optional()
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'null removes the expiry.' })
  @IsOptional()
  @ToDate()
  @IsDate({ message: 'expiresAt must be an ISO-8601 date-time or null' })
  expiresAt?: Date | null;
}

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1, { message: 'limit must be a whole number from 1 to 200' })
  @Max(200, { message: 'limit must be a whole number from 1 to 200' })
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class UserIdParam {
  /** Checked by the tenant guard (a bad one is 404 TENANT_NOT_FOUND). */
  @ApiProperty({ format: 'uuid' })
  @IsString()
  tenantId!: string;

  @ApiProperty({ format: 'uuid' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'userId must be a UUID' })
  userId!: string;
}

export class PasswordResetRequestDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({ description: 'The token from the link of the password reset mail.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, description: 'The new password (same rules as at sign-up).' })
  @IsString()
  @MinLength(PASSWORD_MIN, { message: `password must be at least ${PASSWORD_MIN} characters` })
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class UpdateMeDto {
  @ApiPropertyOptional({ example: 'Ada Lovelace', maxLength: NAME_MAX })
  @Optional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ description: 'Needed with newPassword.' })
  @Optional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX)
  currentPassword?: string;

  @ApiPropertyOptional({
    minLength: PASSWORD_MIN,
    maxLength: PASSWORD_MAX,
    description: 'Same rules as at sign-up; ends every other session.',
  })
  @Optional()
  @IsString()
  @MinLength(PASSWORD_MIN, { message: `newPassword must be at least ${PASSWORD_MIN} characters` })
  @MaxLength(PASSWORD_MAX)
  newPassword?: string;
}
