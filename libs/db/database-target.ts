import path from 'node:path';
import type { AppConfig, Logger } from '../core';
import { startEmbeddedPostgres, readOrCreateSecret, type EmbeddedPostgresHandle } from './embedded-postgres';
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

/**
 * DATABASE_URL set: use it (and DATABASE_OWNER_URL for migrations when given). Otherwise start
 * the embedded cluster under DATA_DIR and provision its owner and app roles.
 */
export async function resolveDatabase(config: AppConfig, logger: Logger): Promise<DatabaseTarget> {
  if (config.databaseUrl) {
    const appUrl = config.databaseUrl;
    const target = { appUrl, ownerUrl: config.databaseOwnerUrl ?? appUrl, appRole: roleOf(appUrl) };
    await warnIfRlsCannotProtect(appUrl, logger);
    return target;
  }
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, logger });
  try {
    const roles: DatabaseRoles = {
      owner: { name: 'dutybook_owner', password: readOrCreateSecret(path.join(config.dataDir, 'postgres-owner.secret')) },
      app: { name: 'dutybook_app', password: readOrCreateSecret(path.join(config.dataDir, 'postgres-app.secret')) },
    };
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

/** A superuser or BYPASSRLS role walks through every tenant's rows: say so loudly. */
export async function warnIfRlsCannotProtect(url: string, logger: Logger): Promise<void> {
  const powers = await inspectRole(url);
  if (powers.superuser || powers.bypassRls) {
    logger.warn(
      { role: powers.role, superuser: powers.superuser, bypassRls: powers.bypassRls },
      `SECURITY WARNING: DATABASE_URL connects as role "${powers.role}", which is ${powers.superuser ? 'a superuser' : 'BYPASSRLS'}: ` +
        'row-level security cannot protect tenants from each other. Connect as a role that owns nothing and has neither (see docs/operations.md).',
    );
  }
}
