import { Client } from 'pg';

export interface RoleCredentials {
  readonly name: string;
  readonly password: string;
}

export interface DatabaseRoles {
  /** Owns the schema and runs migrations. Not a superuser, no BYPASSRLS. */
  readonly owner: RoleCredentials;
  /** What the api and worker connect as: owns nothing, so row-level security binds it. */
  readonly app: RoleCredentials;
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates (or re-keys) the owner and app roles; needs a superuser or CREATEROLE connection. */
export async function ensureRoles(adminUrl: string, roles: DatabaseRoles): Promise<void> {
  await withClient(adminUrl, async (client) => {
    for (const role of [roles.owner, roles.app]) {
      const ident = client.escapeIdentifier(role.name);
      const password = client.escapeLiteral(role.password);
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.name]);
      const verb = exists.rowCount ? 'ALTER' : 'CREATE';
      await client.query(`${verb} ROLE ${ident} LOGIN PASSWORD ${password} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION`);
    }
  });
}

/** Creates the database owned by the owner role, reachable by the app role, closed to others. */
export async function ensureDatabase(adminUrl: string, database: string, roles: DatabaseRoles): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    const db = client.escapeIdentifier(database);
    if (!exists.rowCount) {
      await client.query(`CREATE DATABASE ${db} OWNER ${client.escapeIdentifier(roles.owner.name)} ENCODING 'UTF8'`);
    }
    await client.query(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${client.escapeIdentifier(roles.app.name)}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  await withClient(url.toString(), async (client) => {
    const owner = client.escapeIdentifier(roles.owner.name);
    await client.query(`ALTER SCHEMA public OWNER TO ${owner}`);
    await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await client.query(`GRANT USAGE ON SCHEMA public TO ${client.escapeIdentifier(roles.app.name)}`);
  });
}

/** A connection URL for role on the server and database of base. */
export function urlFor(base: string, role: RoleCredentials, database?: string): string {
  const url = new URL(base);
  url.username = encodeURIComponent(role.name);
  url.password = encodeURIComponent(role.password);
  if (database) url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export interface RolePowers {
  readonly role: string;
  readonly superuser: boolean;
  readonly bypassRls: boolean;
  /**
   * Tables under row-level security that the role owns, or could act as the owner of (member of
   * the owning role): RLS does not bind a table's owner. A few names, for the message.
   */
  readonly ownedRlsTables: readonly string[];
}

/** What the connected role may do that defeats row-level security. */
export async function inspectRole(url: string): Promise<RolePowers> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ role: string; superuser: boolean; bypass: boolean }>(
      'SELECT rolname AS role, rolsuper AS superuser, rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user',
    );
    const row = rows[0];
    if (!row) throw new Error('current_user not found in pg_roles');
    // pg_class.relowner: the owner (and whoever may SET ROLE to it) is not bound by RLS unless
    // FORCE ROW LEVEL SECURITY is set, which the owner can turn off again.
    const owned = await client.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity
          AND pg_has_role(current_user, c.relowner, 'MEMBER')
        ORDER BY 1`,
    );
    return {
      role: row.role,
      superuser: row.superuser,
      bypassRls: row.bypass,
      ownedRlsTables: owned.rows.map((r) => r.name),
    };
  });
}
