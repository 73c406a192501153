-- Who is told that a newer version of a catalog was published (docs/catalog-import.md): the active
-- admins of every tenant subscribed to the catalog on another version than p_version_id (the
-- caller keeps those on an older one), except those already mailed about it (catalog_update_mail).
-- p_tenant_id: the owner of a private catalog (only its subscriptions count), NULL for a global one.
-- p_published_at: when the version was stored; subscriptions made since chose their version with it there.
-- It reads every tenant at once, so like sweep_reminder_jobs it runs as the owner and turns on the
-- `reminders` definer scope for its one statement; it answers ids, names and addresses only.
CREATE OR REPLACE FUNCTION catalog_update_recipients(p_catalog_id uuid, p_version_id uuid, p_tenant_id uuid, p_published_at timestamptz)
RETURNS TABLE (tenant_id uuid, tenant_name text, subscription_id uuid, from_version_id uuid, user_id uuid, email text, name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.scope', 'reminders', true);
  RETURN QUERY
    SELECT s.tenant_id, te.name, s.subscription_id, s.catalog_version_id, m.user_id, u.email, u.name
      FROM catalog_subscriptions(p_catalog_id) s
      JOIN tenant_reminder_settings() te ON te.tenant_id = s.tenant_id
      JOIN active_memberships(now()) m ON m.tenant_id = s.tenant_id AND m.role = 'admin'
      JOIN user_contacts() u ON u.user_id = m.user_id
     WHERE s.catalog_version_id <> p_version_id
       AND s.created_at < p_published_at
       AND (p_tenant_id IS NULL OR s.tenant_id = p_tenant_id)
       AND NOT EXISTS (SELECT 1 FROM catalog_update_mail c
                        WHERE c.tenant_id = s.tenant_id AND c.version_id = p_version_id AND c.recipient_id = m.user_id)
     ORDER BY s.tenant_id, m.user_id;
  PERFORM set_config('app.scope', '', true);
END $$;
