-- True only inside a SECURITY DEFINER function (current_user, the owner, differs from
-- session_user, the app role) that turned the named scope on: the app role setting `app.scope`
-- itself sees nothing more. The `via_reminders_*` policies use it (docs/reminders.md).
CREATE OR REPLACE FUNCTION app_definer_scope(p_name text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT current_setting('app.scope', true) = p_name AND session_user <> current_user $$;
