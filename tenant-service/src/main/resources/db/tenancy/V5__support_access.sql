-- Platform support access: no standing access to tenant rows. A platform admin asks for a session to one
-- tenant (a single-use link, 5 minutes), redeems it (a session of at most 30 minutes), and only while that
-- session runs does row-level security treat them like a member of that tenant. The tenant's owners and
-- admins see the sessions and end them at once.

create table tenancy.support_sessions (
    id                uuid primary key,
    tenant_id         uuid not null references tenancy.tenants (id),
    platform_admin_id uuid not null references tenancy.users (id),
    reason            text not null check (length(reason) between 1 and 500),
    link_hash         text not null unique,
    link_expires_at   timestamptz not null,
    started_at        timestamptz,
    expires_at        timestamptz,
    ended_at          timestamptz,
    ended_by          uuid references tenancy.users (id),
    end_reason        text check (end_reason in ('ended_by_tenant', 'ended_by_platform', 'expired')),
    created_at        timestamptz not null default now()
);
create index support_sessions_tenant_idx on tenancy.support_sessions (tenant_id, created_at);

-- Whether the transaction's user is an active platform admin.
create function tenancy.is_platform_admin() returns boolean
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select exists (select 1 from tenancy.users u where u.id = tenancy.current_user_id() and u.platform_admin and u.status = 'active') $$;

-- The membership check of every policy in every schema now also admits a platform admin in a running support
-- session of that tenant (app.principal = 'support'): that is the only way a platform admin reaches tenant rows.
create or replace function tenancy.is_active_member(p_tenant uuid) returns boolean
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select exists (select 1 from tenancy.memberships m join tenancy.tenants t on t.id = m.tenant_id
                                 join tenancy.users u on u.id = m.user_id
                        where m.tenant_id = p_tenant and m.user_id = tenancy.current_user_id()
                          and m.status = 'active' and t.status = 'active' and u.status = 'active')
            or (current_setting('app.principal', true) = 'support'
                and exists (select 1 from tenancy.support_sessions s join tenancy.users u on u.id = s.platform_admin_id
                             where s.tenant_id = p_tenant and s.platform_admin_id = tenancy.current_user_id()
                               and s.started_at is not null and s.ended_at is null and s.expires_at > now()
                               and u.platform_admin and u.status = 'active'))
    $$;

alter table tenancy.support_sessions enable row level security;
alter table tenancy.support_sessions force row level security;
-- No insert or delete policy: sessions are created only by the helpers below and never deleted.
create policy support_sessions_owner_helpers on tenancy.support_sessions for all to ${owner_role} using (true) with check (true);
create policy support_sessions_select on tenancy.support_sessions for select to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
create policy support_sessions_update on tenancy.support_sessions for update to palisade_services
    using (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())));
grant select on tenancy.support_sessions to ${app_role};
grant update (ended_at, ended_by, end_reason) on tenancy.support_sessions to ${app_role};

-- Platform admins append the impersonation audit events to the tenant's own log (and nothing else).
drop policy outbox_insert on tenancy.outbox;
create policy outbox_insert on tenancy.outbox for insert to palisade_services
    with check ((tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id())))
                or (tenant_id is null and stream = 'audit')
                or (stream = 'audit' and tenant_id = tenancy.current_tenant_id()
                    and ((select tenancy.is_guest(tenancy.current_tenant_id())) or (select tenancy.is_platform_admin()))));

-- A platform admin (the transaction's user) asks for a session: the single-use link. No rows for an
-- unknown or inactive tenant, or for a caller who is not a platform admin.
create function tenancy.request_support_session(p_slug text, p_reason text, p_link_hash text, p_link_ttl_seconds int)
    returns table (session_id uuid, tenant_id uuid)
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_tenant uuid;
        v_session uuid := gen_random_uuid();
    begin
        if not tenancy.is_platform_admin() then
            return;
        end if;
        select t.id into v_tenant from tenancy.tenants t where t.slug = p_slug and t.status = 'active';
        if v_tenant is null then
            return;
        end if;
        insert into tenancy.support_sessions (id, tenant_id, platform_admin_id, reason, link_hash, link_expires_at)
        values (v_session, v_tenant, tenancy.current_user_id(), p_reason, p_link_hash,
                now() + make_interval(secs => p_link_ttl_seconds));
        return query select v_session, v_tenant;
    end
    $$;

-- Redeems the link: only by the platform admin who asked, only once, only before it expires.
create function tenancy.start_support_session(p_link_hash text, p_session_seconds int)
    returns table (session_id uuid, tenant_id uuid, expires_at timestamptz)
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        update tenancy.support_sessions s
           set started_at = now(), expires_at = now() + make_interval(secs => p_session_seconds)
         where s.link_hash = p_link_hash and s.started_at is null and s.link_expires_at > now()
           and s.platform_admin_id = tenancy.current_user_id() and tenancy.is_platform_admin()
        returning s.id, s.tenant_id, s.expires_at
    $$;

-- A running session of the calling platform admin (for a further token).
create function tenancy.running_support_session(p_session uuid)
    returns table (tenant_id uuid, expires_at timestamptz)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select s.tenant_id, s.expires_at from tenancy.support_sessions s
         where s.id = p_session and s.platform_admin_id = tenancy.current_user_id() and tenancy.is_platform_admin()
           and s.started_at is not null and s.ended_at is null and s.expires_at > now()
    $$;

-- Sessions that ran out: marked ended, each with its audit event in the tenant's log (the event has the
-- shape of common's AuditEvent, schema version 1; docs/audit-events.md).
create function tenancy.expire_support_sessions() returns int
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        with expired as (
            update tenancy.support_sessions s set ended_at = s.expires_at, end_reason = 'expired'
             where s.started_at is not null and s.ended_at is null and s.expires_at <= now()
            returning s.id, s.tenant_id, s.platform_admin_id),
        logged as (
            insert into tenancy.outbox (id, tenant_id, stream, type, subject, data)
            select gen_random_uuid(), e.tenant_id, 'audit', 'platform.impersonate_tenant', e.id::text,
                   jsonb_build_object('schemaVersion', 1, 'action', 'platform.impersonate_tenant', 'tenantId', e.tenant_id,
                       'actor', jsonb_build_object('userId', e.platform_admin_id, 'role', 'platform-admin',
                                                   'impersonatorId', e.platform_admin_id, 'clientIp', null),
                       'target', jsonb_build_object('type', 'support_session', 'id', e.id),
                       'outcome', 'success', 'before', null, 'after', null,
                       'details', jsonb_build_object('phase', 'ended', 'endReason', 'expired'), 'requestId', null)
              from expired e
            returning 1)
        select count(*)::int from logged
    $$;

revoke all on function tenancy.is_platform_admin(), tenancy.request_support_session(text, text, text, int),
    tenancy.start_support_session(text, int), tenancy.running_support_session(uuid), tenancy.expire_support_sessions() from public;
grant execute on function tenancy.is_platform_admin() to palisade_services;
grant execute on function tenancy.request_support_session(text, text, text, int), tenancy.start_support_session(text, int),
    tenancy.running_support_session(uuid), tenancy.expire_support_sessions() to ${app_role};

-- What a platform admin may see without a session: counts, never rows.
create function tenancy.platform_counts()
    returns table (tenants bigint, users bigint, running_support_sessions bigint)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select (select count(*) from tenancy.tenants), (select count(*) from tenancy.users),
               (select count(*) from tenancy.support_sessions s
                 where s.started_at is not null and s.ended_at is null and s.expires_at > now())
         where tenancy.is_platform_admin()
    $$;
revoke all on function tenancy.platform_counts() from public;
grant execute on function tenancy.platform_counts() to ${app_role};
