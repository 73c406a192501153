import type { QueryRunner } from 'typeorm';

/**
 * Grants privileges to the role the api and worker connect as. The migration runner passes its
 * name in the `dutybook.app_role` setting; when it is unset or is the owner itself, nothing is
 * granted (the owner already has every privilege).
 */
export async function grantToApp(q: QueryRunner, privileges: string, objects: string): Promise<void> {
  await q.query(`
    DO $grant$
    DECLARE app text := nullif(current_setting('dutybook.app_role', true), '');
    BEGIN
      IF app IS NOT NULL AND app <> current_user THEN
        EXECUTE format('GRANT ${privileges} ON ${objects} TO %I', app);
      END IF;
    END
    $grant$`);
}
