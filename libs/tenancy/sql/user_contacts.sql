-- Where to write to a user: name and e-mail address (for reminder mails). Inlined into the
-- caller's query (LANGUAGE sql, STABLE, no SET clause).
CREATE OR REPLACE FUNCTION user_contacts()
RETURNS TABLE (user_id uuid, email text, name text)
LANGUAGE sql STABLE AS $$
  SELECT u.id, u.email, u.name FROM app_user u
$$;
