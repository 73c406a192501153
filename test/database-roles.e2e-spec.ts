/**
 * The start-up check of the DATABASE_URL role: a role that row-level security does not bind
 * (superuser, BYPASSRLS, or the owner of the tables) gets a loud SECURITY WARNING.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { warnIfRlsCannotProtect } from '../libs/db';
import { createTestDatabase, query, type TestDatabase } from './harness/database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ seed: false });
});
afterAll(async () => db.drop());

/** The warn-level lines the check logs for url. */
async function warnings(url: string): Promise<{ msg: string; ownedRlsTables?: number }[]> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  await warnIfRlsCannotProtect(url, pino({ level: 'warn' }, sink));
  return lines.map((line) => JSON.parse(line) as { msg: string; ownedRlsTables?: number });
}

describe('the SECURITY WARNING at start', () => {
  it('is silent for the app role, which owns nothing', async () => {
    expect(await warnings(db.appUrl)).toEqual([]);
  });

  it('is logged for the role that owns the tables (pg_class.relowner): RLS does not bind an owner', async () => {
    const [line] = await warnings(db.ownerUrl);
    expect(line?.msg).toMatch(/^SECURITY WARNING: DATABASE_URL connects as role "dutybook_test_owner", which is the owner of \d+ table/);
    expect(line?.ownedRlsTables).toBeGreaterThan(5);
  });

  it('is logged for a superuser', async () => {
    const [line] = await warnings(db.adminUrl);
    expect(line?.msg).toContain('which is a superuser');
  });

  it('is logged for a role that may act as the owner (a member of the owning role)', async () => {
    const member = `dutybook_test_member_${process.pid}`;
    await query(db.adminUrl, `CREATE ROLE ${member} LOGIN PASSWORD 'member-password'`);
    try {
      await query(db.adminUrl, `GRANT dutybook_test_owner TO ${member}`);
      const url = new URL(db.appUrl);
      url.username = member;
      url.password = 'member-password';
      await query(db.adminUrl, `GRANT CONNECT ON DATABASE ${db.name} TO ${member}`);
      const [line] = await warnings(url.toString());
      expect(line?.msg).toContain(`role "${member}", which is the owner of`);
    } finally {
      await query(db.adminUrl, `REVOKE ALL ON DATABASE ${db.name} FROM ${member}`);
      await query(db.adminUrl, `DROP ROLE ${member}`);
    }
  });
});
