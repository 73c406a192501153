-- How an activity is named in a mail or a list: its key and title. Inlined into the caller's
-- query (LANGUAGE sql, STABLE, no SET clause); RLS as for the caller.
CREATE OR REPLACE FUNCTION activity_labels()
RETURNS TABLE (activity_id uuid, key text, title text)
LANGUAGE sql STABLE AS $$
  SELECT a.id, a.key, a.title FROM activity a
$$;
