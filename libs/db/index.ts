export { startEmbeddedPostgres, readOrCreateSecret, freePort, type EmbeddedPostgresHandle } from './embedded-postgres';
export { ensureDatabase, ensureRoles, inspectRole, urlFor, type DatabaseRoles, type RoleCredentials, type RolePowers } from './provision';
export {
  createDataSource,
  dataSourceOptions,
  revertLastMigration,
  runMigrations,
  withSchemaLock,
  type ConnectionSettings,
  type DataSourceParts,
} from './data-source';
export { resolveDatabase, warnIfRlsCannotProtect, EMBEDDED_DATABASE, type DatabaseTarget } from './database-target';
export { SnakeNamingStrategy } from './naming.strategy';
export { beginScoped, inScope, preparedQuery, updateReturning, type DbScope, type NamedStatement } from './scoped-tx';
export { TenantDb, DbModule } from './tenant-db';
export {
  installJobQueue,
  createJobQueue,
  inTransaction,
  queueJob,
  jobRequestId,
  JOB_SCHEMA,
  PgBoss,
  type QueueDefinition,
  type TracedJobData,
} from './job-queue';
export { keysetClause, keysetPage, type Keyset, type KeysetClause } from './keyset';
