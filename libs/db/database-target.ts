import path from 'node:path';
import type { AppConfig, Logger } from '../core';
import {
  adminUrlFor,
  findRunningCluster,
  readOrCreateSecret,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from './embedded-postgres';
import { ensureDatabase, ensureRoles, inspectRole, urlFor, type DatabaseRoles } from './provision';

/** Where the product's data lives for this process. */
export interface DatabaseTarget {
  /** What api and worker connect as. */
  readonly appUrl: string;
  /** Owner of the schema: migrations and seeds run as it. */
  readonly ownerUrl: string;
  /** Role name of appUrl, for the grants migrations make. */
  readonly appRole: string;
  /** Set when this process started the embedded cluster: stop it last. */
  readonly embedded?: EmbeddedPostgresHandle;
}

export const EMBEDDED_DATABASE = 'dutybook';

function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username) || 'postgres';
}

export interface ResolveOptions {
  /**
   * `own` (api, worker, `npm start`): start the embedded cluster and supervise it; refuse when
   * another live process runs it. `share` (the CLIs): use the cluster that runs for the same
   * DATA_DIR (`npm start`'s) when there is one, else start one for the command's duration.
   */
  readonly embedded: 'own' | 'share';
}

/**
 * DATABASE_URL set: use it (and DATABASE_OWNER_URL for migrations when given). Otherwise the
 * embedded cluster under DATA_DIR, with its owner and app roles provisioned.
 */
export async function resolveDatabase(
  config: AppConfig,
  logger: Logger,
  options: ResolveOptions = { embedded: 'own' },
): Promise<DatabaseTarget> {
  if (config.databaseUrl) {
    const appUrl = config.databaseUrl;
    return { appUrl, ownerUrl: config.databaseOwnerUrl ?? appUrl, appRole: roleOf(appUrl) };
  }
  const roles: DatabaseRoles = {
    owner: { name: 'dutybook_owner', password: readOrCreateSecret(path.join(config.dataDir, 'postgres-owner.secret')) },
    app: { name: 'dutybook_app', password: readOrCreateSecret(path.join(config.dataDir, 'postgres-app.secret')) },
  };
  const running = options.embedded === 'share' ? findRunningCluster(config.dataDir) : undefined;
  if (running) {
    logger.info({ port: running.port, pid: running.pid }, `using the embedded Postgres already running for ${config.dataDir}`);
    // Provisioned by the process that started it; the roles' passwords are the same files.
    const adminUrl = adminUrlFor(config.dataDir, running.port);
    return {
      appUrl: urlFor(adminUrl, roles.app, EMBEDDED_DATABASE),
      ownerUrl: urlFor(adminUrl, roles.owner, EMBEDDED_DATABASE),
      appRole: roles.app.name,
    };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, logger });
  try {
    await ensureRoles(embedded.adminUrl, roles);
    await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE, roles);
    return {
      appUrl: urlFor(embedded.adminUrl, roles.app, EMBEDDED_DATABASE),
      ownerUrl: urlFor(embedded.adminUrl, roles.owner, EMBEDDED_DATABASE),
      appRole: roles.app.name,
      embedded,
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

/**
 * A superuser, a BYPASSRLS role, or the owner of the tables (RLS does not bind an owner) walks
 * through every tenant's rows: say so loudly. Run after migrations, when the tables exist.
 */
export async function warnIfRlsCannotProtect(url: string, logger: Logger): Promise<void> {
  const powers = await inspectRole(url);
  const why = powers.superuser
    ? 'a superuser'
    : powers.bypassRls
      ? 'BYPASSRLS'
      : powers.ownedRlsTables.length > 0
        ? `the owner of ${powers.ownedRlsTables.length} table(s) under row-level security (e.g. ${powers.ownedRlsTables.slice(0, 3).join(', ')})`
        : undefined;
  if (why === undefined) return;
  logger.warn(
    {
      role: powers.role,
      superuser: powers.superuser,
      bypassRls: powers.bypassRls,
      ownedRlsTables: powers.ownedRlsTables.length,
    },
    `SECURITY WARNING: DATABASE_URL connects as role "${powers.role}", which is ${why}: ` +
      'row-level security cannot protect tenants from each other. Connect as a role that owns nothing and has neither ' +
      'SUPERUSER nor BYPASSRLS, and give the owner role as DATABASE_OWNER_URL (see docs/operations.md).',
  );
}
