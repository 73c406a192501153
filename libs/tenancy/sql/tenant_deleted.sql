-- Whether a tenant was deleted (tombstoned, docs/tenancy-admin.md). The purge functions of the
-- libs above tenancy ask it before they delete anything: they erase a tenant's rows only once the
-- tenant row says so, in the deleting transaction. Row-level security applies as to the caller.
CREATE OR REPLACE FUNCTION tenant_deleted(p_tenant uuid)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM tenant t WHERE t.id = p_tenant AND t.deleted_at IS NOT NULL)
$$;
