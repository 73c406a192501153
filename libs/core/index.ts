export { loadConfig, ConfigError, APP_CONFIG, type AppConfig, type RateLimit, type RateLimitName } from './config/app-config';
export { LOG_LEVELS, type LogLevel } from './config/config.schema';
export { ConfigModule } from './config/config.module';
export {
  DomainError,
  NotFoundError,
  ConflictError,
  ValidationError,
  NothingToChangeError,
  ForbiddenRoleError,
} from './errors/domain-error';
export { declareErrors, CORE_ERRORS, LIB, type ErrorCode, type ErrorTable } from './errors/error-codes';
export { createLogger, NestPinoLogger, serializeError, withLogFields, type Logger, type LogFields } from './logger/logger';
export { projectRoot } from './project-root';
export { canonicalJson } from './canonical-json';
export { Public, IS_PUBLIC } from './public.decorator';
export { ROLES, type Role, type RequestContext, type TenantContext, type UserContext } from './context';
export { DOMAIN_EVENT_SINK, LoggingEventSink, type DomainEvent, type DomainEventSink } from './events';
export { encodeCursor, decodeCursor, type CursorPart } from './cursor';
export { EventsModule } from './events.module';
export { METRICS_SINK, type MetricsSink } from './metrics-sink';
export { UUID_PATTERN, isUuid, iso, isoOrNull } from './values';
