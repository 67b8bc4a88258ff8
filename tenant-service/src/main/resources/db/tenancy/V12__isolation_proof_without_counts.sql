-- The isolation proof no longer reports platform-wide row counts (every owner could watch other tenants' activity
-- through them); it checks live, in the caller's scope, that no other tenant's row is visible.
drop function tenancy.total_rows(regclass);
