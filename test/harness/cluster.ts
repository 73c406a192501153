import type { DatabaseRoles } from '../../libs/db';

/** Roles shared by every test database of a run (roles are cluster-wide in Postgres). */
export const TEST_ROLES: DatabaseRoles = {
  owner: { name: 'dutybook_test_owner', password: 'test-owner-password' },
  app: { name: 'dutybook_test_app', password: 'test-app-password' },
};

/** Superuser URL of the run's cluster; set by global-setup for the test workers. */
export function adminUrl(): string {
  const url = process.env.DUTYBOOK_TEST_ADMIN_URL;
  if (!url) throw new Error('DUTYBOOK_TEST_ADMIN_URL is unset: run the tests through jest (test/harness/global-setup.ts)');
  return url;
}
