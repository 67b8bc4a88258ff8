-- The helpers every row-level security policy of every schema calls, in their final form (docs/database.md). A
-- repeatable migration: Flyway applies it after the versioned ones whenever it changes, so this file, not the
-- history in V*.sql, is where a reader finds what runs. CREATE OR REPLACE keeps the policies that depend on them.

-- The transaction's scope, set first in every transaction (TenantTransactions). Plain SQL: inlined into each policy.
create or replace function tenancy.current_tenant_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

create or replace function tenancy.current_user_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(current_setting('app.user_id', true), '')::uuid $$;

-- Whether the scope's user may act in the tenant: an active member of an active tenant (the membership's admitted, kept
-- current with all three rows' status by V30's triggers: one index lookup), or a platform admin in a running support
-- session of it bound to the token (app.support_session). PL/pgSQL, not SQL: a SECURITY DEFINER SQL function is never
-- inlined and is planned anew on every call (about 0.8 ms), where PL/pgSQL keeps its plan.
create or replace function tenancy.is_active_member(p_tenant uuid) returns boolean
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        return exists (select 1 from tenancy.memberships m
                        where m.tenant_id = p_tenant and m.user_id = tenancy.current_user_id() and m.admitted)
            or (current_setting('app.principal', true) = 'support'
                and exists (select 1 from tenancy.support_sessions s join tenancy.users u on u.id = s.platform_admin_id
                                      join tenancy.tenants t on t.id = s.tenant_id
                             where s.id = nullif(current_setting('app.support_session', true), '')::uuid
                               and s.tenant_id = p_tenant and s.platform_admin_id = tenancy.current_user_id()
                               and s.started_at is not null and s.ended_at is null and s.expires_at > now()
                               and u.platform_admin and u.status = 'active' and t.status = 'active'));
    end
    $$;

-- Whether the scope's user is a guest of the tenant (guest scopes: app.principal = 'guest').
create or replace function tenancy.is_guest(p_tenant uuid) returns boolean
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        return (select current_setting('app.principal', true) = 'guest'
               and exists (select 1 from tenancy.guests g join tenancy.tenants t on t.id = g.tenant_id
                            where g.tenant_id = p_tenant and g.id = tenancy.current_user_id() and t.status = 'active'));
    end
    $$;

-- Whether the scope's user is an active platform admin.
create or replace function tenancy.is_platform_admin() returns boolean
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    begin
        return (select exists (select 1 from tenancy.users u where u.id = tenancy.current_user_id() and u.platform_admin and u.status = 'active'));
    end
    $$;

-- The scope's user's own role and permission bits in the scope's tenant (none when not an active member of an active
-- tenant), and whether the database knows them as an active platform admin. No argument: nobody learns anyone
-- else's authority through it.
create or replace function tenancy.current_authority()
    returns table (role text, permissions bigint, platform_admin boolean)
    language plpgsql stable security definer set search_path = pg_catalog, pg_temp
    as $$
    #variable_conflict use_column
    begin
        return query
            select m.role, m.permissions, u.platform_admin
              from tenancy.users u
              left join tenancy.memberships m
                     on m.user_id = u.id and m.tenant_id = tenancy.current_tenant_id() and m.admitted
             where u.id = tenancy.current_user_id() and u.status = 'active';
    end
    $$;

revoke all on function tenancy.is_active_member(uuid), tenancy.is_guest(uuid), tenancy.is_platform_admin(),
    tenancy.current_authority() from public;
grant execute on function tenancy.current_tenant_id(), tenancy.current_user_id(), tenancy.is_active_member(uuid),
    tenancy.is_guest(uuid), tenancy.is_platform_admin(), tenancy.current_authority() to palisade_services;
