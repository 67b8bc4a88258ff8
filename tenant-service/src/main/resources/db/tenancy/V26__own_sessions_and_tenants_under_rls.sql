-- What a signed-in user does before choosing a tenant, and a platform admin's own support sessions, run as plain SQL
-- under row-level security instead of through definers (the one-data-path redesign, docs/database.md): the scope is
-- the user's own (DbScope.user: a user, no tenant), and each policy admits only that user's own rows.

-- Login: the tenants the scope's user is an active member of, to choose from.
create policy memberships_own_read on tenancy.memberships for select to palisade_services
    using (user_id = tenancy.current_user_id() and tenancy.current_tenant_id() is null);
create policy tenants_own_read on tenancy.tenants for select to palisade_services
    using (tenancy.current_tenant_id() is null and tenancy.is_active_member(id));
drop function tenancy.login_memberships();

-- A platform admin's own support sessions: asked for, started and renewed under the admin's own scope. The tenant's
-- side (its members list and end them; the expiry worker ends them) keeps its policies.
create policy support_sessions_admin_own_read on tenancy.support_sessions for select to palisade_services
    using (platform_admin_id = tenancy.current_user_id() and tenancy.current_tenant_id() is null
           and (select tenancy.is_platform_admin()));
create policy support_sessions_admin_own_request on tenancy.support_sessions for insert to palisade_services
    with check (platform_admin_id = tenancy.current_user_id() and tenancy.current_tenant_id() is null
                and (select tenancy.is_platform_admin()) and started_at is null and expires_at is null and ended_at is null);
create policy support_sessions_admin_own_start on tenancy.support_sessions for update to palisade_services
    using (platform_admin_id = tenancy.current_user_id() and tenancy.current_tenant_id() is null
           and (select tenancy.is_platform_admin()) and started_at is null and link_expires_at > now())
    with check (platform_admin_id = tenancy.current_user_id() and tenancy.current_tenant_id() is null
                and (select tenancy.is_platform_admin()));
grant insert (id, tenant_id, platform_admin_id, reason, link_hash, link_expires_at) on tenancy.support_sessions to ${app_role};
grant update (started_at, expires_at) on tenancy.support_sessions to ${app_role};

-- The terms of a session are invariants, whoever updates the row (the tenant's members may update it to end it; the
-- service role may update no other column): a session is started once, now, by the admin who asked, for at most 30
-- minutes, and its start and end never move after that.
alter table tenancy.support_sessions
    add constraint support_sessions_last_30_minutes check (expires_at is null or expires_at <= started_at + interval '30 minutes');
create function tenancy.support_session_starts_once() returns trigger
    language plpgsql set search_path = pg_catalog, pg_temp
    as $$
    begin
        if old.started_at is not null
           and (new.started_at is distinct from old.started_at or new.expires_at is distinct from old.expires_at) then
            raise exception 'a support session''s start and end never move' using errcode = '42501';
        end if;
        if old.started_at is null and new.started_at is not null
           and (new.platform_admin_id is distinct from tenancy.current_user_id() or new.started_at <> now()
                or new.expires_at is null) then
            raise exception 'a support session is started now, by the platform admin who asked for it' using errcode = '42501';
        end if;
        return new;
    end
    $$;
create trigger support_session_starts_once before update on tenancy.support_sessions
    for each row execute function tenancy.support_session_starts_once();

drop function tenancy.request_support_session(text, text, text, int);
drop function tenancy.start_support_session(text, int);
drop function tenancy.running_support_session(uuid);

-- GET /sso/{slug}/login: the tenant's saved provider, read under the scope of someone signing in to that tenant
-- (DbScope.signingInTo: the tenant its active slug named, no user).
create policy sso_providers_signing_in_read on tenancy.sso_providers for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and current_setting('app.principal', true) = 'anonymous');
drop function tenancy.sso_provider(text);
