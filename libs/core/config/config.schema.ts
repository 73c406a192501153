import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

const POSTGRES_URL = /^postgres(ql)?:\/\/.+/;
/** `<count>/<window>`: 20/1h, 10/15m, 60/1m, 5/30s. */
export const RATE = /^[1-9]\d{0,6}\/[1-9]\d{0,4}[smhd]$/;
/** Five cron fields (minute hour day month weekday), evaluated in UTC. */
const CRON = /^(\S+\s+){4}\S+$/;
const CRON_MESSAGE = 'must be a cron expression with five fields, e.g. "*/15 * * * *"';
const PROXY_ENTRY = String.raw`(loopback|linklocal|uniquelocal|\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(\/\d{1,3})?)`;
/** Checked once more entry by entry with node:net in app-config.ts (a regex cannot tell 300.1.1.1 from an IP). */
const TRUSTED_PROXIES = new RegExp(String.raw`^\s*${PROXY_ENTRY}(\s*,\s*${PROXY_ENTRY})*\s*$`);
const TRUSTED_PROXIES_MESSAGE =
  'must be a comma-separated list of IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal';
const RATE_MESSAGE = 'must be <count>/<window> such as 20/1h, 10/15m or 60/1m';

/**
 * Every environment variable the product reads. Nothing else in the code reads process.env
 * (tests and benches included go through loadConfig), so this class is the whole contract.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'], { message: 'must be one of development, production, test' })
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number between 0 and 65535' })
  @Min(0, { message: 'must be a whole number between 0 and 65535' })
  @Max(65535, { message: 'must be a whole number between 0 and 65535' })
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  // Prometheus metrics on a port of their own (never the public one); unset: no metrics server.
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number between 1 and 65535' })
  @Min(1, { message: 'must be a whole number between 1 and 65535' })
  @Max(65535, { message: 'must be a whole number between 1 and 65535' })
  METRICS_PORT?: number;

  @IsString()
  @MinLength(1)
  METRICS_HOST = '127.0.0.1';

  @IsString({ message: 'must be a directory path' })
  @MinLength(1, { message: 'must be a directory path' })
  DATA_DIR = './.data';

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// or postgresql:// connection URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// or postgresql:// connection URL' })
  DATABASE_OWNER_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number between 1 and 200' })
  @Min(1, { message: 'must be a whole number between 1 and 200' })
  @Max(200, { message: 'must be a whole number between 1 and 200' })
  DATABASE_POOL_SIZE = 10;

  /** Unset: the port the data folder used last (54329 the first time), or a free one when taken. */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds between 100 and 600000' })
  @Min(100, { message: 'must be a whole number of milliseconds between 100 and 600000' })
  @Max(600000, { message: 'must be a whole number of milliseconds between 100 and 600000' })
  DATABASE_CONNECT_TIMEOUT_MS = 5000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds between 100 and 3600000' })
  @Min(100, { message: 'must be a whole number of milliseconds between 100 and 3600000' })
  @Max(3600000, { message: 'must be a whole number of milliseconds between 100 and 3600000' })
  DATABASE_STATEMENT_TIMEOUT_MS = 15000;

  /** Unset: the port the data folder used last (54329 the first time), or a free one when taken. */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number between 1024 and 65535' })
  @Min(1024, { message: 'must be a whole number between 1024 and 65535' })
  @Max(65535, { message: 'must be a whole number between 1024 and 65535' })
  EMBEDDED_PG_PORT?: number;

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'must be an http(s) URL such as https://dutybook.example.com' },
  )
  PUBLIC_URL?: string;

  /** Comma-separated origins (scheme://host[:port]) other sites' pages may call the API from; empty: CORS off. */
  @IsOptional()
  @Matches(/^\s*(https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\s*)(,\s*https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\s*)*$/, {
    message: 'must be a comma-separated list of origins such as https://app.example.com,http://localhost:5173',
  })
  CORS_ORIGINS?: string;

  @IsIn(['true', 'false'], { message: 'must be true or false' })
  SEED_ON_START: 'true' | 'false' = 'true';

  @IsIn(['true', 'false'], { message: 'must be true or false' })
  MIGRATE_ON_START: 'true' | 'false' = 'true';

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of bytes between 1024 and 10485760' })
  @Min(1024, { message: 'must be a whole number of bytes between 1024 and 10485760' })
  @Max(10 * 1024 * 1024, { message: 'must be a whole number of bytes between 1024 and 10485760' })
  BODY_LIMIT_BYTES = 1024 * 1024;

  @Matches(CRON, { message: CRON_MESSAGE })
  ROLLOVER_CRON = '5 * * * *';

  @Matches(CRON, { message: CRON_MESSAGE })
  REMINDERS_CRON = '*/15 * * * *';

  @Matches(CRON, { message: CRON_MESSAGE })
  DIGEST_CRON = '0 * * * *';

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587' })
  SMTP_URL?: string;

  @Matches(/^(.{1,100} <[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, {
    message: 'must be an address, e.g. "Dutybook <no-reply@example.com>"',
  })
  MAIL_FROM = 'Dutybook <no-reply@dutybook.localhost>';

  @IsOptional()
  @MinLength(32, { message: 'must be at least 32 characters (e.g. openssl rand -base64 48)' })
  JWT_SECRET?: string;

  @IsIn(['open', 'closed'], { message: 'must be open or closed' })
  SIGNUP: 'open' | 'closed' = 'open';

  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_SIGNUP = '20/1h';

  /** Failed logins of one account from one client address before growing delays (1 s, 2 s, 4 s, ...). */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_LOGIN_ACCOUNT_SOURCE = '5/15m';

  /** Ceiling of failed logins per account from all addresses together (a distributed guess). */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_LOGIN_ACCOUNT = '100/1h';

  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_LOGIN_IP = '50/15m';

  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_REFRESH = '60/1m';

  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_INVITATION_ACCEPT = '20/1h';

  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_INVITATION_TENANT = '100/1d';

  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_INVITATION_INVITER = '30/1h';

  /** Per recipient address, across tenants: nobody's inbox is flooded with invitations. */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_INVITATION_RECIPIENT = '5/1d';

  /** Password reset requests per address (known or not, alike): nobody's inbox is flooded with links. */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_PASSWORD_RESET_ADDRESS = '3/1h';

  /** Password reset requests per client address, all addresses together. */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_PASSWORD_RESET_IP = '20/1h';

  /** Attempts to spend a reset link per client address (each success costs an argon2 hash). */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_PASSWORD_RESET_CONFIRM = '20/1h';

  /**
   * Proxies whose X-Forwarded-For gives the client address (rate limits, logs): comma-separated
   * IPs, CIDR ranges, or loopback, linklocal, uniquelocal. Unset: none, the peer is the client.
   */
  @IsOptional()
  @Matches(TRUSTED_PROXIES, { message: TRUSTED_PROXIES_MESSAGE })
  TRUSTED_PROXIES?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds between 60 and 3600' })
  @Min(60, { message: 'must be a whole number of seconds between 60 and 3600' })
  @Max(3600, { message: 'must be a whole number of seconds between 60 and 3600' })
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days between 1 and 365' })
  @Min(1, { message: 'must be a whole number of days between 1 and 365' })
  @Max(365, { message: 'must be a whole number of days between 1 and 365' })
  REFRESH_TOKEN_TTL_DAYS = 30;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds between 1000 and 120000' })
  @Min(1000, { message: 'must be a whole number of milliseconds between 1000 and 120000' })
  @Max(120000, { message: 'must be a whole number of milliseconds between 1000 and 120000' })
  SHUTDOWN_TIMEOUT_MS = 10000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of bytes between 1 and 10737418240 (10 GiB)' })
  @Min(1, { message: 'must be a whole number of bytes between 1 and 10737418240 (10 GiB)' })
  @Max(10 * 1024 * 1024 * 1024, { message: 'must be a whole number of bytes between 1 and 10737418240 (10 GiB)' })
  EVIDENCE_MAX_BYTES = 100 * 1024 * 1024;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of hours between 1 and 8760 (a year)' })
  @Min(1, { message: 'must be a whole number of hours between 1 and 8760 (a year)' })
  @Max(8760, { message: 'must be a whole number of hours between 1 and 8760 (a year)' })
  EVIDENCE_PACK_TTL_HOURS = 72;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days between 1 and 36500' })
  @Min(1, { message: 'must be a whole number of days between 1 and 36500' })
  @Max(36500, { message: 'must be a whole number of days between 1 and 36500' })
  AUDIT_RETENTION_DAYS = 2557;

  @IsIn(['fs', 's3'], { message: 'must be fs (files under DATA_DIR/evidence) or s3 (an S3-compatible object store)' })
  EVIDENCE_STORAGE: 'fs' | 's3' = 'fs';

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'must be an http(s) URL of the S3-compatible service, e.g. http://minio:9000' },
  )
  S3_ENDPOINT?: string;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens' })
  S3_BUCKET?: string;

  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'must be a region name such as us-east-1 or eu-west-par' })
  S3_REGION = 'us-east-1';

  @IsOptional()
  @Matches(/^\S{1,256}$/, { message: 'must be 1 to 256 characters without spaces' })
  S3_ACCESS_KEY_ID?: string;

  @IsOptional()
  @Matches(/^\S{1,256}$/, { message: 'must be 1 to 256 characters without spaces' })
  S3_SECRET_ACCESS_KEY?: string;

  @IsIn(['true', 'false'], { message: 'must be true or false' })
  S3_FORCE_PATH_STYLE: 'true' | 'false' = 'false';
}
