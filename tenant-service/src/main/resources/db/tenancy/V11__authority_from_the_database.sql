-- Authority is read from the database on every request (PermissionAugmentor), never from the access token alone: a
-- member demoted, suspended or stripped of a permission loses that power at once, not when the token expires.

-- The caller's own role and permission bits in the transaction's tenant (none when it is not an active member of an
-- active tenant), and whether the database knows it as an active platform admin. It takes no argument: the tenant and
-- the user come from the transaction's scope, so nobody learns anyone else's authority through it.
create function tenancy.current_authority()
    returns table (role text, permissions bigint, platform_admin boolean)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select m.role, m.permissions, u.platform_admin
          from tenancy.users u
          left join tenancy.memberships m
                 on m.user_id = u.id and m.tenant_id = tenancy.current_tenant_id() and m.status = 'active'
                and exists (select 1 from tenancy.tenants t where t.id = m.tenant_id and t.status = 'active')
         where u.id = tenancy.current_user_id() and u.status = 'active'
    $$;
revoke all on function tenancy.current_authority() from public;
grant execute on function tenancy.current_authority() to palisade_services;

-- A member's role, permissions or status changed: every refresh-token family of that member in this tenant ends, so
-- no session outlives the authority it was opened with. Only an active owner or admin of the transaction's tenant may
-- call it, and only for a member of that tenant.
create function tenancy.end_member_sessions(p_user uuid) returns int
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        with revoked as (
            update tenancy.refresh_tokens r set revoked_at = now()
             where r.tenant_id = tenancy.current_tenant_id() and r.user_id = p_user and r.revoked_at is null
               and exists (select 1 from tenancy.memberships caller
                            where caller.tenant_id = tenancy.current_tenant_id() and caller.user_id = tenancy.current_user_id()
                              and caller.status = 'active' and caller.role in ('owner', 'admin'))
            returning 1)
        select count(*)::int from revoked
    $$;
revoke all on function tenancy.end_member_sessions(uuid) from public;
grant execute on function tenancy.end_member_sessions(uuid) to ${app_role};
