import { isIP } from 'node:net';
import path from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvironmentVariables, type LogLevel } from './config.schema';

/** The validated, typed configuration every part of the product reads. */
export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  /** Port of the Prometheus /metrics server; undefined: none. */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  readonly dataDir: string;
  /** Unset: the embedded Postgres under dataDir is used. */
  readonly databaseUrl: string | undefined;
  /** Role that owns the schema and runs migrations; defaults to databaseUrl. */
  readonly databaseOwnerUrl: string | undefined;
  readonly databasePoolSize: number;
  /** How long the api waits for a pooled connection (or a new one) before answering 503. */
  readonly databaseConnectTimeoutMs: number;
  /** The api's bound on one statement: server-side statement_timeout, and the same plus a margin client-side, so a frozen server cannot hang a request. */
  readonly databaseStatementTimeoutMs: number;
  /** Unset: the port recorded under dataDir (54329 the first time), a free one when taken. */
  readonly embeddedPgPort: number | undefined;
  readonly logLevel: LogLevel;
  readonly publicUrl: string;
  /** Origins allowed to call the API from a browser (CORS); empty: CORS off. */
  readonly corsOrigins: readonly string[];
  readonly seedOnStart: boolean;
  readonly migrateOnStart: boolean;
  readonly bodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
  /** Unset: mails are written as .eml files under dataDir/outbox. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Unset: a secret generated once and kept under dataDir (single-machine default). */
  readonly jwtSecret: string | undefined;
  readonly signupOpen: boolean;
  readonly rateLimits: Readonly<Record<RateLimitName, RateLimit>>;
  /** Fastify's trustProxy: the proxies whose X-Forwarded-For names the client (empty: none). */
  readonly trustedProxies: readonly string[];
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlDays: number;
  /** When the worker opens new periods of recurring duties (cron, UTC). */
  readonly rolloverCron: string;
  /** When the worker sweeps for due-soon, overdue, escalation and review mails (cron, UTC). */
  readonly remindersCron: string;
  /** When the worker writes weekly digests whose Monday 08:00 (local) has come (cron, UTC). */
  readonly digestCron: string;
  /** Evidence packs are deleted this long after they were built (docs/exports.md). */
  readonly evidencePackTtlHours: number;
  /** How long a deleted tenant's audit trail is kept (its tombstone's `audit_retained_until`). */
  readonly auditRetentionDays: number;
  readonly evidence: {
    /** Largest evidence file accepted, in bytes. */
    readonly maxBytes: number;
    /** Where evidence files are kept: files under dataDir/evidence, or an S3-compatible bucket. */
    readonly storage:
      | { readonly kind: 'fs'; readonly dir: string }
      | {
          readonly kind: 's3';
          /** Unset: AWS S3 itself. */
          readonly endpoint: string | undefined;
          readonly bucket: string;
          readonly region: string;
          readonly accessKeyId: string;
          readonly secretAccessKey: string;
          readonly forcePathStyle: boolean;
        };
  };
}

export type RateLimitName =
  | 'signup'
  | 'loginAccountSource'
  | 'loginAccount'
  | 'loginIp'
  | 'refresh'
  | 'invitationAccept'
  | 'invitationTenant'
  | 'invitationInviter'
  | 'invitationRecipient'
  | 'passwordResetAddress'
  | 'passwordResetIp'
  | 'passwordResetConfirm';

export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

function parseRate(text: string): RateLimit {
  const [count, window] = text.split('/') as [string, string];
  const unit = window.slice(-1) as keyof typeof UNIT_SECONDS;
  return { limit: Number(count), windowSeconds: Number(window.slice(0, -1)) * UNIT_SECONDS[unit] };
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** The entries of TRUSTED_PROXIES, each a real IP or CIDR range (the schema checked the shape). */
function parseTrustedProxies(text: string | undefined): string[] {
  const entries = (text ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const bad = entries.filter((entry) => {
    if (PROXY_KEYWORDS.has(entry)) return false;
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return true;
    if (bits === undefined) return false;
    const n = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
    return n < 0 || n > (family === 4 ? 32 : 128);
  });
  if (bad.length > 0) throw new ConfigError([`TRUSTED_PROXIES has entries that are not IP addresses or CIDR ranges: ${bad.join(', ')}`]);
  return entries;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'DATABASE_OWNER_URL',
  'SMTP_URL',
  'JWT_SECRET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
]);

/** Validates the environment; throws ConfigError naming every bad variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new EnvironmentVariables());
  const raw: Record<string, string> = {};
  for (const name of known) {
    const value = env[name];
    // An empty variable means "unset": docker-compose and shells produce them easily.
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const parsed = plainToInstance(EnvironmentVariables, raw);
  const errors = validateSync(parsed, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => {
        const shown = SECRET_VARIABLES.has(e.property) ? '(hidden)' : JSON.stringify(raw[e.property]);
        const why = Object.values(e.constraints ?? {})[0] ?? 'is invalid';
        return `${e.property} ${why} (got ${shown})`;
      }),
    );
  }
  if (parsed.NODE_ENV === 'production' && parsed.DATABASE_URL && !parsed.JWT_SECRET) {
    // Several api processes on a shared database must sign with one secret.
    throw new ConfigError(['JWT_SECRET is required when NODE_ENV=production and DATABASE_URL is set (every api process must share it)']);
  }
  if (parsed.EVIDENCE_STORAGE === 's3') {
    const missing = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((name) => parsed[name] === undefined);
    if (missing.length > 0) throw new ConfigError(missing.map((name) => `${name} is required when EVIDENCE_STORAGE=s3`));
  }
  const trustedProxies = parseTrustedProxies(parsed.TRUSTED_PROXIES);
  const dataDir = path.resolve(parsed.DATA_DIR);
  return {
    env: parsed.NODE_ENV,
    port: parsed.PORT,
    host: parsed.HOST,
    metricsPort: parsed.METRICS_PORT,
    metricsHost: parsed.METRICS_HOST,
    dataDir,
    databaseUrl: parsed.DATABASE_URL,
    databaseOwnerUrl: parsed.DATABASE_OWNER_URL,
    databasePoolSize: parsed.DATABASE_POOL_SIZE,
    databaseConnectTimeoutMs: parsed.DATABASE_CONNECT_TIMEOUT_MS,
    databaseStatementTimeoutMs: parsed.DATABASE_STATEMENT_TIMEOUT_MS,
    embeddedPgPort: parsed.EMBEDDED_PG_PORT,
    logLevel: parsed.LOG_LEVEL,
    publicUrl: (parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/+$/, ''),
    corsOrigins: (parsed.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    seedOnStart: parsed.SEED_ON_START === 'true',
    migrateOnStart: parsed.MIGRATE_ON_START === 'true',
    bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
    smtpUrl: parsed.SMTP_URL,
    mailFrom: parsed.MAIL_FROM,
    jwtSecret: parsed.JWT_SECRET,
    signupOpen: parsed.SIGNUP === 'open',
    rateLimits: {
      signup: parseRate(parsed.RATE_LIMIT_SIGNUP),
      loginAccountSource: parseRate(parsed.RATE_LIMIT_LOGIN_ACCOUNT_SOURCE),
      loginAccount: parseRate(parsed.RATE_LIMIT_LOGIN_ACCOUNT),
      loginIp: parseRate(parsed.RATE_LIMIT_LOGIN_IP),
      refresh: parseRate(parsed.RATE_LIMIT_REFRESH),
      invitationAccept: parseRate(parsed.RATE_LIMIT_INVITATION_ACCEPT),
      invitationTenant: parseRate(parsed.RATE_LIMIT_INVITATION_TENANT),
      invitationInviter: parseRate(parsed.RATE_LIMIT_INVITATION_INVITER),
      invitationRecipient: parseRate(parsed.RATE_LIMIT_INVITATION_RECIPIENT),
      passwordResetAddress: parseRate(parsed.RATE_LIMIT_PASSWORD_RESET_ADDRESS),
      passwordResetIp: parseRate(parsed.RATE_LIMIT_PASSWORD_RESET_IP),
      passwordResetConfirm: parseRate(parsed.RATE_LIMIT_PASSWORD_RESET_CONFIRM),
    },
    trustedProxies,
    accessTokenTtlSeconds: parsed.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: parsed.REFRESH_TOKEN_TTL_DAYS,
    rolloverCron: parsed.ROLLOVER_CRON,
    remindersCron: parsed.REMINDERS_CRON,
    digestCron: parsed.DIGEST_CRON,
    evidencePackTtlHours: parsed.EVIDENCE_PACK_TTL_HOURS,
    auditRetentionDays: parsed.AUDIT_RETENTION_DAYS,
    evidence: {
      maxBytes: parsed.EVIDENCE_MAX_BYTES,
      storage:
        parsed.EVIDENCE_STORAGE === 's3'
          ? {
              kind: 's3',
              endpoint: parsed.S3_ENDPOINT,
              bucket: parsed.S3_BUCKET ?? '',
              region: parsed.S3_REGION,
              accessKeyId: parsed.S3_ACCESS_KEY_ID ?? '',
              secretAccessKey: parsed.S3_SECRET_ACCESS_KEY ?? '',
              forcePathStyle: parsed.S3_FORCE_PATH_STYLE === 'true',
            }
          : { kind: 'fs', dir: path.join(dataDir, 'evidence') },
    },
  };
}

/** Injection token for AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
