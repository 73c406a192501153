export { loadConfig, ConfigError, APP_CONFIG, type AppConfig, type RateLimit, type RateLimitName } from './config/app-config';
export { LOG_LEVELS, type LogLevel } from './config/config.schema';
export { ConfigModule } from './config/config.module';
export { DomainError, NotFoundError, ConflictError, ValidationError } from './errors/domain-error';
export { createLogger, NestPinoLogger, type Logger } from './logger/logger';
export { projectRoot } from './project-root';
export { canonicalJson } from './canonical-json';
export { Public, IS_PUBLIC } from './public.decorator';
